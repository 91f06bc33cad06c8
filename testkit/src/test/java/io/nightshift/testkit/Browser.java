package io.nightshift.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's chromium, headless, through Debian's chromedriver, both given by path so Selenium Manager
 * never looks anything up or downloads anything. Tests call {@link #start} first: it skips them (a JUnit
 * assumption naming what is missing) when no browser is installed; {@code .ci/run} installs one.
 */
final class Browser {
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final List<Path> BROWSERS = List.of(Path.of("/usr/lib/chromium/chromium"), Path.of("/usr/bin/chromium"));
    static final Path SHOTS = Path.of("target", "screenshots");

    private Browser() {
    }

    /** A 1280×800 headless chromium with its profile and driver log under {@code dir}. */
    static ChromeDriver start(Path dir) throws IOException {
        Path browser = BROWSERS.stream().filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(Files.isExecutable(DRIVER) && browser != null,
                "no browser to drive: needs " + DRIVER + " and one of " + BROWSERS
                        + " (Debian packages chromium and chromium-driver; .ci/run installs them)");
        System.setProperty("webdriver.chrome.driver", DRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,800", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--user-data-dir=" + dir.resolve("chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1280, 800));
        Files.createDirectories(SHOTS);
        return driver;
    }

    /** A wait polling every 100 ms that ignores elements re-rendered under it (views re-render on events). */
    static WebDriverWait waitFor(ChromeDriver driver, Duration d) {
        WebDriverWait w = new WebDriverWait(driver, d, Duration.ofMillis(100));
        w.ignoring(StaleElementReferenceException.class);
        return w;
    }

    /** Saves what the browser shows as {@code target/screenshots/<name>.png}. */
    static void shot(ChromeDriver driver, String name) {
        try {
            File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new AssertionError("cannot save screenshot " + name, e);
        }
    }
}
