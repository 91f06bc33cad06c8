package io.nightshift.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.JobState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobTest {
    static final Instant AT = Instant.parse("2026-12-02T01:00:00Z");

    @Test
    void aNewSpecKeepsWhereTheScheduleStands() {
        // scaling (the only caller) used to drop the schedule's standing: the job stopped firing
        ScheduleState s = new ScheduleState(AT, List.of(AT.minusSeconds(60)), false, AT.plusSeconds(3600), 4, 1);
        JobSpec spec = JobSpec.command("/bin/true").id("j").build();
        Job j = new Job(Job.SCHEMA_VERSION, "j", spec, "h", null, JobState.RUNNING, null, false, AT, AT, null,
                List.of("j.r1"), "alice", s);

        Job changed = j.withSpec(spec.withInstances(3), AT.plusSeconds(5));

        assertThat(changed.schedule()).isEqualTo(s);
        assertThat(changed.spec().instances()).isEqualTo(3);
        assertThat(changed.owner()).isEqualTo("alice");
        assertThat(changed.updatedAt()).isEqualTo(AT.plusSeconds(5));
    }
}
