package io.nightshift.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nightshift.api.json.Json;
import org.junit.jupiter.api.Test;

class PendingReasonTest {

    @Test
    void aResourceShortfallCarriesItsKindResourceAndNumbersBesideTheSentence() {
        var r = PendingReason.shortOf("insufficient.cpus", PendingReason.Kind.STATIC, 2, "cpus", 8, 4,
                "asks 8 cpus; the largest agent has 4 in total");

        String json = Json.write(r);

        assertThat(json).isEqualTo("{\"code\":\"insufficient.cpus\",\"kind\":\"STATIC\",\"agents\":2,\"resource\":\"cpus\","
                + "\"asked\":8.0,\"available\":4.0,\"message\":\"asks 8 cpus; the largest agent has 4 in total\"}");
        assertThat(Json.read(json, PendingReason.class)).isEqualTo(r);
    }

    @Test
    void aReasonNotAboutAResourceShowsItsResourceFieldsAsNull() {
        var r = PendingReason.of("constraint.unique", PendingReason.Kind.DYNAMIC, 6, "hostname UNIQUE: taken (6 agents)");

        String json = Json.write(r);

        assertThat(json).contains("\"kind\":\"DYNAMIC\"", "\"resource\":null", "\"asked\":null", "\"available\":null");
        assertThat(Json.read(json, PendingReason.class)).isEqualTo(r);
        assertThat(PendingReason.waiting("upstream", "waits for run etl.r3")).isEqualTo(
                new PendingReason("upstream", PendingReason.Kind.DYNAMIC, 0, null, null, null, "waits for run etl.r3"));
    }

    @Test
    void aResourceWithoutItsNumbersIsRefused() {
        assertThatThrownBy(() -> new PendingReason("insufficient.cpus", PendingReason.Kind.DYNAMIC, 1, "cpus", 2.0, null, "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("go together");
        assertThatThrownBy(() -> new PendingReason("backoff", null, 0, null, null, null, "x")).isInstanceOf(NullPointerException.class);
    }
}
