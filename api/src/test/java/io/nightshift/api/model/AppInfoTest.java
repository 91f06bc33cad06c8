package io.nightshift.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.json.Json;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.state.TaskState;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AppInfoTest {
    @Test
    void aSparkDriversFactsAreFieldsOfTheAttemptAndTheStatusUpdateInJson() {
        AppInfo app = AppInfo.spark("local-1764646800000", "http://h1:4040");
        Attempt a = new Attempt("j.r1.0.1", 1, "a1", "h1", TaskState.RUNNING, null, null, null, Instant.EPOCH, Instant.EPOCH,
                null, null, app);
        String json = Json.write(a);
        assertThat(json).contains("\"app\":{\"sparkAppId\":\"local-1764646800000\",\"driverUiUrl\":\"http://h1:4040\"}");
        assertThat(Json.read(json, Attempt.class).app()).isEqualTo(app);

        var u = new AgentMessage.StatusUpdate(3, "j.r1.0", "j.r1.0.1", TaskState.RUNNING, null, null, app.describe(),
                Instant.EPOCH, null, app);
        assertThat(((AgentMessage.StatusUpdate) Json.read(Json.write(u), AgentMessage.class)).app()).isEqualTo(app);
        assertThat(Json.write(new Event(8, Instant.EPOCH, "task", "t", "j", null, null, "RUNNING", null, null)))
                .as("absent when unknown").doesNotContain("app");
    }

    @Test
    void laterFactsAreLaidOverEarlierOnesAndTheMessageSaysWhatIsKnown() {
        AppInfo id = AppInfo.spark("local-1", null);
        assertThat(id.describe()).isEqualTo("spark application local-1");
        AppInfo both = id.merge(AppInfo.spark(null, "http://h:4040"));
        assertThat(both).isEqualTo(new AppInfo("local-1", "http://h:4040", null));
        assertThat(both.describe()).isEqualTo("spark application local-1; driver UI http://h:4040");
        assertThat(AppInfo.spark(null, "http://h:4040").describe()).isEqualTo("spark application (id not known yet); driver UI http://h:4040");
        assertThat(AppInfo.hadoop("job_local1_0001").describe()).isEqualTo("hadoop job job_local1_0001");
    }

    @Test
    void valuesAreBoundedAndAUrlThatIsNotHttpIsDropped() {
        assertThat(AppInfo.spark("x".repeat(1000), null).sparkAppId()).hasSize(AppInfo.MAX_ID);
        assertThat(AppInfo.spark("a", "javascript:alert(1)").driverUiUrl()).isNull();
        assertThat(AppInfo.spark("a\nb", null).sparkAppId()).as("no control characters").isNull();
        assertThat(AppInfo.spark(" ", null).isEmpty()).isTrue();
        assertThat(new Attempt("j.r1.0.1", 1, "a1", "h1", TaskState.RUNNING, null, null, null, null, null, null, null,
                new AppInfo(null, null, null)).app()).as("an empty one is none").isNull();
    }
}
