package io.nightshift.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopDelayProbeTest {
    @Test
    void recordsTheDelayOfEachEventLoopAndOfTheCoreThread() throws Exception {
        Vertx vertx = Vertx.vertx();
        var core = Executors.newSingleThreadExecutor();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (LoopDelayProbe probe = new LoopDelayProbe(vertx, registry, 2, core::execute)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> registry.timer("nightshift.eventloop.delay").count() >= 6
                    && registry.timer("nightshift.core.delay").count() >= 3);
            // the core thread held until the 2 event loops fired 10 more probes (one at least 5: >= 400 ms, as a periodic
            // timer never fires early), not for a slept time: the core probe queued within a period of the hold waits >= 300 ms
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            core.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long loopProbes = registry.timer("nightshift.eventloop.delay").count();
            await().atMost(Duration.ofSeconds(10)).until(() -> registry.timer("nightshift.eventloop.delay").count() >= loopProbes + 10);
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> registry.timer("nightshift.core.delay").max(TimeUnit.MILLISECONDS) >= 150);
            assertThat(registry.timer("nightshift.eventloop.delay").max(TimeUnit.MILLISECONDS)).isLessThan(150);
        } finally {
            core.shutdownNow();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
