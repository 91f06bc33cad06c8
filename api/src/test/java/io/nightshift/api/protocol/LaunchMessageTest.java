package io.nightshift.api.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.json.Json;
import io.nightshift.api.spec.JobSpec;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LaunchMessageTest {
    static final JobSpec SPEC = JobSpec.command("/bin/true").id("j").build();

    @Test
    void aScheduledLaunchCarriesItsFiringsTimeOverTheWireAndKeepsItWithoutSecrets() {
        var l = new CoordinatorMessage.Launch("j", "j.r2", "j.r2.0", "j.r2.0.1", 1, SPEC, 9, Map.of("K", "v"),
                Instant.parse("2026-12-02T01:00:00Z"));

        String json = Json.write(l);
        var back = (CoordinatorMessage.Launch) Json.read(json, CoordinatorMessage.class);

        assertThat(json).contains("\"scheduledFor\":\"2026-12-02T01:00:00Z\"").contains("\"epoch\":9");
        assertThat(back).isEqualTo(l);
        assertThat(l.withoutSecrets().scheduledFor()).isEqualTo(l.scheduledFor());
        assertThat(l.withoutSecrets().secrets()).isEmpty();
    }

    @Test
    void anUnscheduledLaunchHasNoScheduledForField() {
        var l = new CoordinatorMessage.Launch("j", "j.r2", "j.r2.0", "j.r2.0.1", 1, SPEC, 9);

        String json = Json.write(l);

        assertThat(json).doesNotContain("scheduledFor");
        assertThat(((CoordinatorMessage.Launch) Json.read(json, CoordinatorMessage.class)).scheduledFor()).isNull();
    }
}
