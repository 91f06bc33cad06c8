package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The dashboard's side of authentication, in a real browser: every request (JSON calls, the event
 * stream) carries {@code Authorization: Bearer <token>} once a token was typed into the sign-in view,
 * a 401 anywhere shows that view, a refused token says so, and the token never appears in a URL.
 *
 * <p>The server is a stand-in that serves the real dashboard files from the coordinator's jar and
 * answers {@code /v1/*} with 401 unless the right token comes: the coordinator itself gains tokens with
 * the security work, and then this test can run against a {@link LocalCluster} with auth on.
 */
class DashboardSignInIT {
    static final String TOKEN = "good-token-0123";
    static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8");

    @TempDir
    static Path dir;
    static ChromeDriver driver;
    static HttpServer server;
    static final List<String> seen = new CopyOnWriteArrayList<>(); // "<uri> <Authorization header or ->"
    /** Released when the test class ends: until then every event stream stays open, as the real one does. */
    static final CountDownLatch done = new CountDownLatch(1);

    @BeforeAll
    static void start() throws IOException {
        driver = Browser.start(dir);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sign-in-stand-in");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", DashboardSignInIT::handle);
        server.start();
    }

    @AfterAll
    static void stop() {
        done.countDown();
        if (driver != null) driver.quit();
        if (server != null) server.stop(0);
    }

    static void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        seen.add(ex.getRequestURI() + " " + (auth == null ? "-" : auth));
        if (!path.startsWith("/v1/")) {
            String file = path.equals("/") ? "index.html" : path.substring(1);
            try (InputStream in = DashboardSignInIT.class.getClassLoader().getResourceAsStream("webroot/" + file)) {
                if (in == null || file.contains("..")) {
                    send(ex, 404, "text/plain", "no such file");
                    return;
                }
                send(ex, 200, TYPES.getOrDefault(file.substring(file.lastIndexOf('.') + 1), "application/octet-stream"),
                        new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            return;
        }
        if (!("Bearer " + TOKEN).equals(auth)) {
            send(ex, 401, "application/problem+json",
                    "{\"type\":\"urn:nightshift:problem:unauthorized\",\"title\":\"Unauthorized\",\"status\":401}");
            return;
        }
        switch (path) {
            case "/v1/jobs" -> send(ex, 200, "application/json", "{\"jobs\":[],\"next\":null}");
            case "/v1/whoami" -> send(ex, 200, "application/json", "{\"subject\":\"alice\",\"roles\":[\"admin\"]}");
            case "/v1/version" -> send(ex, 200, "application/json", "{\"version\":\"test\"}");
            case "/v1/events" -> {
                ex.getResponseHeaders().set("Content-Type", "text/event-stream");
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(": stand-in events\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    done.await(60, TimeUnit.SECONDS); // an open stream until the class ends
                } catch (InterruptedException | IOException e) {
                    // the page went away or the server stops
                }
            }
            default -> send(ex, 404, "application/problem+json", "{\"status\":404,\"title\":\"Not found\"}");
        }
    }

    static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Test
    void a401ShowsSignInAndTheTypedTokenGoesWithEveryRequestIncludingTheEventStreamButNeverInAUrl() {
        driver.get("http://127.0.0.1:" + server.getAddress().getPort() + "/#/jobs");
        Browser.waitFor(driver, Duration.ofSeconds(20)).until(ExpectedConditions.presenceOfElementLocated(By.id("login-form")));
        assertThat(driver.getCurrentUrl()).contains("#/login").contains("next=%2Fjobs");
        Browser.shot(driver, "sign-in");

        driver.findElement(By.id("token")).sendKeys("wrong-token");
        driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        Browser.waitFor(driver, Duration.ofSeconds(20)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-message"),
                "did not accept that token"));

        driver.findElement(By.id("token")).sendKeys(TOKEN);
        driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        Browser.waitFor(driver, Duration.ofSeconds(20)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("view"),
                "No job has been submitted yet."));
        Browser.waitFor(driver, Duration.ofSeconds(20)).until(ExpectedConditions.textToBe(By.id("whoami"), "Signed in as alice (admin)"));
        Browser.waitFor(driver, Duration.ofSeconds(20)).until(ExpectedConditions.textToBe(By.id("live"), "Live"));
        assertThat(driver.getCurrentUrl()).endsWith("#/jobs");

        assertThat(seen).contains("/v1/events Bearer " + TOKEN).anyMatch(s -> s.startsWith("/v1/jobs?") && s.endsWith("Bearer " + TOKEN));
        assertThat(seen).anyMatch(s -> s.startsWith("/v1/jobs?") && s.endsWith(" -")); // the first try, before signing in
        assertThat(seen).noneMatch(s -> s.substring(0, s.indexOf(' ')).contains(TOKEN) || s.substring(0, s.indexOf(' ')).contains("wrong-token"));
    }
}
