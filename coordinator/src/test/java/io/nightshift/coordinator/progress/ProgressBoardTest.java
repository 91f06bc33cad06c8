package io.nightshift.coordinator.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nightshift.api.model.ProgressEvent;
import io.nightshift.api.model.TaskProgress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressBoardTest {
    @Test
    void keepsTheLatestReportPerTaskAndExposesItAsGauges() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProgressBoard board = new ProgressBoard(registry);
        board.update("export.r1.0", new TaskProgress("a1", null, 10, 5, Map.of("t-0", 3L), 3, 7L, null, false));
        board.update("export.r1.0", new TaskProgress("a1", null, 20, 5, Map.of("t-0", 0L), 0, 0L, null, false));
        assertThat(board.of(List.of("export.r1.0", "export.r1.1")).keySet()).containsExactly("export.r1.0");
        assertThat(board.of(List.of("export.r1.0")).get("export.r1.0").records()).isEqualTo(20);
        assertThat(registry.get("nightshift.kafka.records").tag("job", "export").tag("task", "export.r1.0").gauge().value())
                .isEqualTo(20.0);
        assertThat(registry.get("nightshift.kafka.lag").tag("task", "export.r1.0").gauge().value()).isZero();
    }

    @Test
    void eventsGoOutForTheFirstReportThenAtMostOncePerIntervalAndAlwaysForTheFinalOne() throws Exception {
        long[] now = {0};
        ProgressBoard board = new ProgressBoard(new SimpleMeterRegistry(), () -> now[0], Duration.ofSeconds(5));
        List<ProgressEvent> seen = new ArrayList<>();
        AutoCloseable sub = board.subscribe(seen::add);

        board.update("export.r1.0", report("a1", 10, false));                  // first report: out
        now[0] = Duration.ofSeconds(1).toNanos();
        board.update("export.r1.0", report("a1", 20, false));                  // 1 s later: board only
        now[0] = Duration.ofSeconds(5).toNanos();
        board.update("export.r1.0", report("a1", 30, false));                  // 5 s after the last event: out
        now[0] = Duration.ofSeconds(6).toNanos();
        board.update("export.r1.0", report("a1", 35, true));                   // the attempt's last: out at once
        board.update("export.r1.0", report("a2", 0, false));                   // a new attempt: out at once
        assertThat(seen).extracting(e -> e.progress().records()).containsExactly(10L, 30L, 35L, 0L);
        assertThat(seen.get(0).jobId()).isEqualTo("export");
        assertThat(seen.get(0).taskId()).isEqualTo("export.r1.0");
        assertThat(board.of(List.of("export.r1.0")).get("export.r1.0").attemptId()).isEqualTo("a2");

        sub.close();
        now[0] = Duration.ofSeconds(60).toNanos();
        board.update("export.r1.0", report("a2", 99, true));
        assertThat(seen).hasSize(4);
    }

    private static TaskProgress report(String attempt, long records, boolean finished) {
        return new TaskProgress(attempt, null, records, 1, Map.of(), 0, null, null, finished);
    }

    @Test
    void theJobIsWhatComesBeforeTheRunSegment() {
        assertThat(ProgressBoard.jobOf("my-job.r12.3")).isEqualTo("my-job");
        assertThat(ProgressBoard.jobOf("nonsense")).isNull();
    }
}
