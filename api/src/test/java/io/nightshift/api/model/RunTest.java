package io.nightshift.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.state.JobState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunTest {
    static final Instant CREATED = Instant.parse("2026-12-02T01:00:03Z");
    static final Instant FOR = Instant.parse("2026-12-02T01:00:00Z");

    @Test
    void aScheduledRunKeepsItsScheduledTimeWhenItsTasksChange() {
        // scaling a scheduled run used to drop scheduledFor: its dependants then matched it by createdAt
        Run r = new Run(Run.SCHEMA_VERSION, "j.r3", "j", 3, JobState.QUEUED, CREATED, null, List.of("j.r3.0"), FOR);

        Run scaled = r.withTaskIds(List.of("j.r3.0", "j.r3.1"));

        assertThat(scaled.scheduledFor()).isEqualTo(FOR);
        assertThat(scaled.taskIds()).containsExactly("j.r3.0", "j.r3.1");
        assertThat(scaled).isEqualTo(new Run(Run.SCHEMA_VERSION, "j.r3", "j", 3, JobState.QUEUED, CREATED, null,
                List.of("j.r3.0", "j.r3.1"), FOR));
    }

    @Test
    void aStateChangeKeepsTheScheduledTimeToo() {
        Run r = new Run(Run.SCHEMA_VERSION, "j.r3", "j", 3, JobState.RUNNING, CREATED, null, List.of("j.r3.0"), FOR);

        Run done = r.withState(JobState.SUCCEEDED, CREATED.plusSeconds(5));

        assertThat(done.scheduledFor()).isEqualTo(FOR);
        assertThat(done.finishedAt()).isEqualTo(CREATED.plusSeconds(5));
    }
}
