package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nightshift demo --exit} in-process against its own local cluster: a clean story on stdout, the logs in a file. */
class DemoIT {
    @TempDir
    Path dir;

    @Test
    void theDemoTellsWhatItSubmittedHowItWentAndWhereTheLogsAreWhileTheLogsGoToTheFile() throws Exception {
        Path data = dir.resolve("data");
        CliRunner.Result r = new CliRunner(dir).run("demo", "--exit",
                "--set", "coordinator.port=0",
                "--set", "coordinator.data-dir=" + data.resolve("coordinator"),
                "--set", "coordinator.cluster-name=demo-it-" + ProcessHandle.current().pid(),
                "--set", "agent.work-dir=" + data.resolve("agent"));
        Path log = data.resolve("coordinator").resolve("nightshift.log").toAbsolutePath().normalize();

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("Its logs go to " + log + " (--verbose shows them here).")
                .contains("Nightshift demo: serving at http://127.0.0.1:")
                .containsPattern("submitted hello-\\w+ ")
                .containsPattern("job fails-\\w+ FAILED")
                // the Kafka step: a real broker, the producer job, the drain job's progress and its files
                .containsPattern("job kafka-produce-\\w+ SUCCEEDED")
                .containsPattern("kafka-drain-\\w+: [\\d,]+ records, .*lag 0")
                .containsPattern("kafka-drain-\\w+ wrote 5,000 records into \\d+ files")
                .contains("Dashboard and API: http://127.0.0.1:");
        // the story only: no log line of the coordinator or the agent on the console
        assertThat(r.out().lines()).noneMatch(l -> l.matches(".*\\b(INFO|WARN|DEBUG)\\b .* - .*"));
        assertThat(Files.readString(log)).contains("SchedulerCore").contains("coordinator").contains("accepted");
    }
}
