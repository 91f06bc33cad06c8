package io.nightshift.coordinator.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nightshift.api.model.TaskProgress;
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
    void theJobIsWhatComesBeforeTheRunSegment() {
        assertThat(ProgressBoard.jobOf("my-job.r12.3")).isEqualTo("my-job");
        assertThat(ProgressBoard.jobOf("nonsense")).isNull();
    }
}
