package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.config.Config;
import io.nightshift.agent.AgentSettings;
import io.nightshift.coordinator.CoordinatorSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's headless chromium driven through chromedriver against a
 * real local cluster (coordinator + one agent running real processes). Jobs are submitted through the
 * API, never through the page, and each check waits for the page to show the change by itself (the live
 * event stream), without reloading. A screenshot of each view goes to {@code target/screenshots/}.
 *
 * <p>Skipped (a JUnit assumption, with the reason) only when no chromium and chromedriver are installed;
 * {@code .ci/run} installs them. Selenium Manager is never asked for anything: the driver and the browser
 * are given by path.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserIT {
    static final Duration WAIT = Duration.ofSeconds(20);
    /** The page reloads its jobs on its own every 30 s; seeing a change sooner than that proves the event stream did it. */
    static final Duration LIVE = Duration.ofSeconds(12);
    /** A name that is HTML: the page must show it as text and never run it. */
    static final String HTML_NAME = "<b>bold</b><img src=x onerror=\"window.__injected=1\">";

    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Api api;
    static ChromeDriver driver;
    static String base;

    @BeforeAll
    static void start() throws IOException {
        driver = Browser.start(dir); // skips the class when no browser is installed
        Config config = LocalCluster.testConfig(dir)
                .with(CoordinatorSettings.UTILIZATION_INTERVAL, "PT1S")
                .with(CoordinatorSettings.UTILIZATION_KEPT, "PT1H") // each pool sampled every second too
                .with(AgentSettings.ATTRIBUTES, "pool=night")
                // once pool night is declared its owners' load counts: the other builds on this machine are owners too
                .with(AgentSettings.CPUS, "16").with(AgentSettings.MEM_MB, "262144");
        cluster = LocalCluster.start(config, 1);
        api = new Api(cluster);
        base = cluster.url().toString();
        signIn();
    }

    /** The coordinator runs with auth on: the page asks for a token once, and keeps it for the tab. */
    static void signIn() {
        open("#/jobs");
        waitFor(WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("login-form")));
        driver.findElement(By.id("token")).sendKeys(cluster.adminToken());
        driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        waitFor(WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("jobs-title")));
    }

    @AfterAll
    static void stop() {
        if (driver != null) driver.quit();
        if (cluster != null) cluster.close();
    }

    @Test
    @Order(1)
    void aSubmittedJobAppearsLiveAndItsHtmlNameIsShownAsText() {
        open("#/jobs");
        waitFor(LIVE).until(ExpectedConditions.textToBe(By.id("live"), "Live"));
        String id = api.submit(command("live-html", HTML_NAME, "echo hello from the dashboard test"));

        By name = By.cssSelector("tr[data-job='" + id + "'] td.job-name");
        waitFor(LIVE).until(ExpectedConditions.presenceOfElementLocated(name));
        waitFor(WAIT).until(d -> d.findElement(name).getText().equals(HTML_NAME));
        assertThat(driver.findElements(By.cssSelector("#view table img, #view table b"))).isEmpty();
        waitFor(WAIT).until(d -> d.findElement(By.cssSelector("tr[data-job='" + id + "'] .badge")).getText().equals("SUCCEEDED"));
        assertThat(((JavascriptExecutor) driver).executeScript("return window.__injected === undefined")).isEqualTo(true);
        shot("jobs");

        // the job's own page, reached by its link, shows the name as text too
        clickFresh(By.cssSelector("tr[data-job='" + id + "'] a"));
        waitFor(WAIT).until(ExpectedConditions.urlContains("#/jobs/" + id));
        assertThat(waitFor(WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("job-name"))).getText()).isEqualTo(HTML_NAME);
        waitFor(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("log"), "hello from the dashboard test"));
        shot("job-succeeded");
        // back returns to the list, forward to the job again
        driver.navigate().back();
        waitFor(WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("jobs-title")));
        driver.navigate().forward();
        waitFor(WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("job-name")));
    }

    @Test
    @Order(2)
    void aFailingJobShowsItsExitCodeAndTheEndOfItsStderr() {
        String id = api.submit(command("fails-3", "fails on purpose", "echo 'something broke: disk full' >&2; exit 3"));
        open("#/jobs/" + id);
        waitFor(WAIT).until(d -> d.findElement(By.id("job-state")).getText().equals("FAILED"));
        waitFor(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("failure-text"), "failed with exit code 3"));
        waitFor(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("stderr-excerpt"), "something broke: disk full"));
        waitFor(WAIT).until(d -> d.findElement(By.cssSelector("tr[data-attempt] td.exit")).getText().equals("3"));
        shot("job-failed");
    }

    @Test
    @Order(3)
    void aPendingJobShowsTheSchedulersOwnReasonAndCanBeKilled() {
        String id = api.submit("""
                {"id":"too-big","name":"asks for more than any agent has","type":"command",
                 "command":{"shell":"true"},"resources":{"cpus":512,"memMb":64}}""");
        open("#/jobs/" + id);
        waitFor(WAIT).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#pending .pending-reason")));
        JsonNode reasons = api.json("/v1/jobs/" + id).path("pending").path("reasons");
        assertThat(reasons.size()).isPositive();
        String expected = reasons.get(0).path("message").asText();
        waitFor(WAIT).until(d -> d.findElement(By.cssSelector("#pending .pending-reason")).getText().equals(expected));
        shot("job-pending");

        clickFresh(By.id("kill"));
        waitFor(WAIT).until(ExpectedConditions.elementToBeClickable(By.id("kill-yes"))).click();
        waitFor(WAIT).until(d -> d.findElement(By.id("job-state")).getText().equals("KILLED"));
        assertThat(api.jobState(id)).isEqualTo("KILLED");
    }

    @Test
    @Order(4)
    void logFollowStreamsARunningTaskAndKillStopsIt() {
        String id = api.submit(command("ticker", "ticks until killed",
                "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done"));
        open("#/jobs/" + id);
        waitFor(WAIT).until(d -> d.findElement(By.id("job-state")).getText().equals("RUNNING"));
        waitFor(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("log"), "tick 3\n"));
        // more ticks arrive on the same open stream: the page is following, not re-reading
        waitFor(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("log"), "tick 15\n"));
        waitFor(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("log-status"), "Following stdout"));
        shot("job-running-log");

        clickFresh(By.id("kill"));
        waitFor(WAIT).until(ExpectedConditions.elementToBeClickable(By.id("kill-yes"))).click();
        waitFor(WAIT).until(d -> d.findElement(By.id("job-state")).getText().equals("KILLED"));
        assertThat(api.jobState(id)).isEqualTo("KILLED");
        shot("job-killed");
    }

    @Test
    @Order(6)
    void queuesAgentsAndClusterViewsShowTheClusterAndTheirLinksWorkWithBack() {
        open("#/jobs");
        driver.findElement(By.cssSelector("#nav a[data-view='queues']")).click();
        waitFor(WAIT).until(d -> d.findElement(By.cssSelector("tr[data-queue='default']")).getText().contains("fair share"));
        shot("queues");

        driver.findElement(By.cssSelector("#nav a[data-view='agents']")).click();
        waitFor(WAIT).until(d -> {
            String row = d.findElement(By.cssSelector("tr[data-agent='local-1']")).getText();
            return row.contains("night") && row.contains("ACTIVE") && row.contains("free");
        });
        shot("agents");

        driver.findElement(By.cssSelector("#nav a[data-view='cluster']")).click();
        waitFor(WAIT).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#utilization-chart polyline.series.cpu")));
        waitFor(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("chart-caption"), "sampled by the coordinator every 1 second"));
        waitFor(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("cluster-now"), "1 of 1 agent active."));
        shot("cluster");

        driver.navigate().back();
        waitFor(WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("agents-title")));
        assertThat(driver.getCurrentUrl()).endsWith("#/agents");
    }

    @Test
    @Order(5)
    void filtersAndSearchAreInTheUrlSoAFilteredListCanBeShared() {
        open("#/jobs?state=FAILED");
        waitFor(WAIT).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-job='fails-3']")));
        assertThat(driver.findElements(By.cssSelector("tr[data-job]"))).hasSize(1);
        assertThat(driver.findElement(By.id("state-filter")).getAttribute("value")).isEqualTo("FAILED");

        open("#/jobs");
        waitFor(WAIT).until(d -> d.findElements(By.cssSelector("tr[data-job]")).size() == 4);
        driver.findElement(By.id("job-search")).sendKeys("tick");
        waitFor(WAIT).until(d -> d.findElements(By.cssSelector("tr[data-job]")).size() == 1
                && !d.findElements(By.cssSelector("tr[data-job='ticker']")).isEmpty());
        waitFor(WAIT).until(ExpectedConditions.urlContains("q=tick"));
        shot("jobs-search");
    }

    @Test
    @Order(7)
    void theLoginViewKeepsTheTokenInSessionStorageNotInTheUrl() {
        open("#/login?next=/queues");
        // the real coordinator refuses a made-up token, and the page says so
        driver.findElement(By.id("token")).sendKeys("not-a-token-of-this-cluster");
        driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        waitFor(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-message"), "did not accept that token"));
        // the cluster's own token signs in and leads to where the user was going
        driver.findElement(By.id("token")).clear();
        driver.findElement(By.id("token")).sendKeys(cluster.adminToken());
        driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        waitFor(WAIT).until(ExpectedConditions.urlContains("#/queues"));
        assertThat(driver.getCurrentUrl()).doesNotContain(cluster.adminToken()).doesNotContain("not-a-token");
        assertThat(((JavascriptExecutor) driver).executeScript("return sessionStorage.getItem('nightshift.token')"))
                .isEqualTo(cluster.adminToken());
    }

    @Test
    @Order(8)
    void thePagesAreUsableAtPhoneWidth() {
        driver.manage().window().setSize(new Dimension(390, 844));
        try {
            open("#/jobs/fails-3");
            waitFor(WAIT).until(ExpectedConditions.presenceOfElementLocated(By.id("failure-text")));
            Object overflow = ((JavascriptExecutor) driver).executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertThat(((Number) overflow).intValue()).as("horizontal overflow of the page in px").isLessThanOrEqualTo(0);
            shot("phone-job");
            open("#/jobs");
            waitFor(WAIT).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-job]")));
            shot("phone-jobs");
        } finally {
            driver.manage().window().setSize(new Dimension(1280, 800));
        }
    }

    @Test
    @Order(9)
    void thePoolsViewShowsThePoolItsWindowsAndAChartOfTheCapacityARevocableJobUsed() throws Exception {
        // a window open now and one later today, in UTC, as daily ranges computed from the real clock
        java.time.LocalTime now = java.time.LocalTime.now(java.time.ZoneOffset.UTC).withSecond(0).withNano(0);
        String pool = """
                {"reservation":{"cpus":1,"memMb":256},"headroom":{"cpuPercent":0,"memMb":0},
                 "windows":[{"name":"now","zone":"UTC","ranges":[{"from":"%s","to":"%s"}]},
                            {"name":"later","zone":"UTC","ranges":[{"from":"%s","to":"%s"}]}]}"""
                .formatted(now.minusHours(1), now.plusHours(2), now.plusHours(3), now.plusHours(4));
        var put = api.send(api.request("/v1/pools/night").header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(pool)).build());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        String id = api.submit("""
                {"id":"night-batch","name":"<i>night</i> batch","type":"command","revocable":true,
                 "command":{"shell":"sleep 4"},"resources":{"cpus":4,"memMb":64}}""");
        org.awaitility.Awaitility.await().atMost(WAIT.multipliedBy(2)).until(() -> "SUCCEEDED".equals(api.jobState(id)));
        // the pool's series saw the job's cpus while it ran
        JsonNode samples = api.json("/v1/pools/night/utilization?since=PT1H").path("samples");
        assertThat(samples).anySatisfy(x -> assertThat(x.path("used").path("cpus").asDouble()).isGreaterThanOrEqualTo(4));
        assertThat(samples).allSatisfy(x -> assertThat(x.path("lending").asBoolean()).isTrue());

        open("#/jobs");
        driver.findElement(By.cssSelector("#nav a[data-view='pools']")).click();
        By row = By.cssSelector("tr[data-pool='night']");
        waitFor(WAIT).until(d -> {
            String text = d.findElement(row).getText();
            return text.contains("lending") && text.contains("now: open now, closes") && text.contains("later: closed, opens");
        });
        shot("pools");

        clickFresh(By.cssSelector("tr[data-pool='night'] a"));
        waitFor(WAIT).until(ExpectedConditions.urlContains("#/pools/night"));
        waitFor(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#pool-windows li[data-window='now']"), "open"));
        assertThat(driver.findElement(By.cssSelector("#pool-windows li[data-window='later']")).getText())
                .contains("closed").contains(now.plusHours(3) + " UTC (in 2 hours");
        assertThat(driver.findElement(By.id("pool-facts")).getText()).contains("1 CPU, 256 MiB").contains("local-1");
        waitFor(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("pool-caption-cpu"), "sampled every 1 second"));
        // the used area rises above the baseline where the job ran, and a window band shades the chart
        Object rise = ((JavascriptExecutor) driver).executeScript("""
                const ys = [...document.querySelectorAll('#pool-chart-cpu polygon.area.used')]
                  .flatMap(p => p.getAttribute('points').trim().split(' ').map(xy => +xy.split(',')[1]));
                return ys.length ? Math.max(...ys) - Math.min(...ys) : -1;""");
        assertThat(((Number) rise).doubleValue()).as("height of the used area in px").isGreaterThan(5);
        assertThat(driver.findElements(By.cssSelector("#pool-chart-cpu rect.band"))).isNotEmpty();
        assertThat(driver.findElements(By.cssSelector("#pool-chart-mem polygon.area.idle"))).isNotEmpty();
        shot("pool");

        open("#/pools/no-such-pool");
        waitFor(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("pool-facts"), "There is no pool no-such-pool."));
    }

    // ------------------------------------------------------------------ helpers

    static String command(String id, String name, String shell) {
        return "{\"id\":\"" + id + "\",\"name\":" + io.nightshift.api.json.Json.write(name)
                + ",\"type\":\"command\",\"command\":{\"shell\":" + io.nightshift.api.json.Json.write(shell)
                + "},\"resources\":{\"cpus\":0.1,\"memMb\":64}}";
    }

    static void open(String hash) {
        driver.get(base + "/" + hash);
    }

    /**
     * Clicks what {@code by} finds, finding it again if the live page re-rendered it between the find and the click
     * (job rows and the job page are redrawn on every event of the stream).
     */
    static void clickFresh(By by) {
        waitFor(WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            d.findElement(by).click();
            return true;
        });
    }

    static WebDriverWait waitFor(Duration d) {
        return Browser.waitFor(driver, d);
    }

    static void shot(String name) {
        Browser.shot(driver, name);
    }
}
