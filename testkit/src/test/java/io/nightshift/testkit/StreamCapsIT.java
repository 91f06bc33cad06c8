package io.nightshift.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nightshift.coordinator.CoordinatorSettings;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event streams and log follows are capped per token and per coordinator (429 with Retry-After);
 * a closed stream frees its slot. The caps are what is checked, not timings (those are in
 * {@code docs/benchmarks.md}).
 */
class StreamCapsIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Api admin;
    static String taskId;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.testConfig(dir)
                .with(CoordinatorSettings.MAX_EVENT_STREAMS, "3").with(CoordinatorSettings.MAX_EVENT_STREAMS_PER_TOKEN, "2")
                .with(CoordinatorSettings.MAX_LOG_FOLLOWS, "3").with(CoordinatorSettings.MAX_LOG_FOLLOWS_PER_TOKEN, "2"), 1);
        admin = new Api(cluster);
        admin.submit("{\"id\":\"chatty\",\"type\":\"command\",\"command\":{\"shell\":\"while :; do echo tick; sleep 1; done\"},"
                + "\"resources\":{\"cpus\":0.1,\"memMb\":32}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.jobState("chatty").equals("RUNNING"));
        taskId = admin.task("chatty").path("id").asText();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
        Procs.killAll("NIGHTSHIFT_SANDBOX=" + dir);
    }

    static Api withToken(String subject) {
        String t = Api.tree(admin.post("/v1/tokens", "{\"subject\":\"" + subject + "\",\"roles\":[\"read\"]}").body()).path("token").asText();
        return new Api(cluster.url(), t);
    }

    static HttpResponse<InputStream> open(Api api, String path) throws Exception {
        return api.http.send(api.request(path).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    void capsHold(String path) throws Exception {
        Api a = withToken("caps-a-" + path.length()), b = withToken("caps-b-" + path.length());
        List<HttpResponse<InputStream>> held = new ArrayList<>();
        held.add(open(a, path));
        held.add(open(a, path));
        assertThat(held).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        HttpResponse<InputStream> third = open(a, path);
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(new String(third.body().readAllBytes())).contains("a token may hold at most 2");

        HttpResponse<InputStream> other = open(b, path); // another token still gets one: 3 of 3 on this coordinator
        assertThat(other.statusCode()).isEqualTo(200);
        held.add(other);
        HttpResponse<InputStream> full = open(b, path);
        assertThat(full.statusCode()).isEqualTo(429);
        assertThat(new String(full.body().readAllBytes())).contains("this coordinator serves at most 3");

        held.remove(0).body().close(); // a closed stream frees its slot
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            HttpResponse<InputStream> r = open(a, path);
            if (r.statusCode() == 200) held.add(r);
            else r.body().close();
            return r.statusCode() == 200;
        });
        for (HttpResponse<InputStream> r : held) r.body().close();
    }

    @Test
    void eventStreamsAreCappedPerTokenAndPerCoordinator() throws Exception {
        capsHold("/v1/events");
    }

    @Test
    void logFollowsAreCappedPerTokenAndPerCoordinator() throws Exception {
        capsHold("/v1/tasks/" + taskId + "/logs/stdout?follow=true");
    }
}
