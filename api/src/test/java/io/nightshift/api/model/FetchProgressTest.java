package io.nightshift.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.json.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FetchProgressTest {
    @Test
    void sumsTheArtifactsAndTheTotalIsUnknownWhileOneIs() {
        var known = FetchProgress.of(List.of(new FetchProgress.Artifact("a.jar", "http://h/a.jar", "done", 10, 10),
                new FetchProgress.Artifact("b.jar", "http://h/b.jar", "fetching", 5, 30)));
        assertThat(known.bytesDone()).isEqualTo(15);
        assertThat(known.bytesTotal()).isEqualTo(40);
        var unknown = FetchProgress.of(List.of(new FetchProgress.Artifact("a.jar", "http://h/a.jar", "done", 10, 10),
                new FetchProgress.Artifact("b.jar", "http://h/b.jar", "waiting", 0, -1)));
        assertThat(unknown.bytesTotal()).isEqualTo(-1);
        assertThat(unknown.fraction()).isEqualTo(-1);
    }

    @Test
    void travelsOnAttemptsAndEventsAsJsonAndIsLeftOutWhenAbsent() {
        var f = FetchProgress.of(List.of(new FetchProgress.Artifact("lib/app.jar", "http://h/app.jar", "fetching", 1, 2)));
        Event e = new Event(7, Instant.EPOCH, "task", "j.r1.0", "j", "j.r1.0.1", "a1", "FETCHING", null, null, f);
        String json = Json.write(e);
        assertThat(json).contains("\"fetch\":{\"bytesDone\":1,\"bytesTotal\":2,\"artifacts\":[{\"target\":\"lib/app.jar\"")
                .doesNotContain("fraction");
        assertThat(Json.read(json, Event.class)).isEqualTo(e);
        assertThat(Json.write(new Event(8, Instant.EPOCH, "job", "j", "j", null, null, "RUNNING", null, null))).doesNotContain("fetch");
    }
}
