package io.nightshift.api.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nightshift.api.json.Json;
import org.junit.jupiter.api.Test;

class JobSpecNightTest {
    static final String BASE = "{\"type\":\"command\",\"command\":{\"argv\":[\"true\"]}";

    @Test
    void revocableAndWindowAreReadAndKeptThroughTheBuilder() {
        JobSpec s = JobSpecParser.parse(BASE + ",\"revocable\":true,\"window\":\"night\",\"maxRuntime\":\"PT2H\"}");
        assertThat(s.revocable()).isTrue();
        assertThat(s.window()).isEqualTo("night");
        assertThat(s.toBuilder().build()).isEqualTo(s);
        assertThat(s.withId("x").window()).isEqualTo("night");
    }

    @Test
    void atTheirDefaultsTheyStayOutOfTheJsonSoStoredSpecsKeepTheirHash() {
        String json = Json.write(JobSpecParser.parse(BASE + "}"));
        assertThat(json).doesNotContain("revocable").doesNotContain("window");
        assertThat(Json.read(Json.write(JobSpecParser.parse(BASE + ",\"revocable\":true}")), JobSpec.class).revocable()).isTrue();
    }

    @Test
    void aBadWindowOrRevocableIsAProblemNamingTheField() {
        assertThatThrownBy(() -> JobSpecParser.parse(BASE + ",\"window\":\"Night!\",\"revocable\":\"yes\"}"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.problems())
                        .extracting(Problem::path).containsExactlyInAnyOrder("/window", "/revocable"));
    }
}
