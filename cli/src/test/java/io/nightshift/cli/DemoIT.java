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
                // the Spark step: both drivers ran, the ETL's UI URL was shown while it ran, the outputs are named
                .containsPattern("submitted spark-etl-\\w+ ")
                .containsPattern("submitted wordcount-\\w+ ")
                .containsPattern("spark-etl-\\w+: Spark application (local-\\d+ )?running, driver UI http://\\S+:\\d+ \\(while it runs\\)")
                .containsPattern("spark-etl-\\w+ output: Parquet by date in \\S+/spark-demo/warehouse/events-\\w+")
                .containsPattern("wordcount-\\w+ output: word<TAB>count in \\S+/part-r-00000")
                // the Kafka step: a real broker, the producer job, the drain job's progress and its files
                .containsPattern("job kafka-produce-\\w+ SUCCEEDED")
                .containsPattern("kafka-drain-\\w+: [\\d,]+ records, .*lag 0")
                .containsPattern("kafka-drain-\\w+ wrote 5,000 records into \\d+ files")
                .contains("Dashboard and API: http://127.0.0.1:");
        assertThat(r.out()).as("both Spark examples succeeded").containsPattern("spark-etl-\\w+ +Spark ETL[^\\n]+SUCCEEDED")
                .containsPattern("wordcount-\\w+ +Hadoop MapReduce word count +SUCCEEDED");
        // the night step: the pool lends in its window, the short job succeeds inside it, the long one is revoked
        // as the window closes and queued again, and the capacity by pool is shown while it lends and after
        String out = r.out();
        assertThat(out).containsPattern("night: pool demo-night \\(agent local-2, [\\d.]+ cpus\\) keeps all its cpus")
                .containsPattern("night: [\\d:]+ both wait \\([\\w.]+\\): ")
                .containsPattern("night: [\\d:]+ window 'night' opened")
                .containsPattern("night: [\\d:]+ night-short-\\w+ SUCCEEDED")
                .containsPattern("night: [\\d:]+ night-long-\\w+ attempt 1 REVOKED")
                .containsPattern("night: [\\d:]+ night-long-\\w+ re-queued: job \\w+, task PENDING, 1 attempt, no retry used")
                .containsPattern("capacity by pool while the window is open \\(nightshift capacity\\):\\n  POOL .*\\n"
                        + "  demo-night +1 .* yes +night: open until")
                .containsPattern("capacity by pool after the window closed \\(nightshift capacity\\):\\n  POOL .*\\n"
                        + "  demo-night +1 .* no +night: opens")
                .contains("The night, in plain words:");
        assertThat(out.indexOf("attempt 1 REVOKED")).as("revoked before the window closed")
                .isLessThan(out.indexOf("window 'night' closed")).isGreaterThan(out.indexOf("window 'night' opened"));
        assertThat(out).doesNotContainPattern("night-(short|long)-\\w+ FAILED");
        // the story only: no log line of the coordinator or the agent on the console
        assertThat(r.out().lines()).noneMatch(l -> l.matches(".*\\b(INFO|WARN|DEBUG)\\b .* - .*"));
        assertThat(Files.readString(log)).contains("SchedulerCore").contains("coordinator").contains("accepted");
    }
}
