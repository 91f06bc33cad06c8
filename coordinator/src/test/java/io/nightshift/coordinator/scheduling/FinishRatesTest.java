package io.nightshift.coordinator.scheduling;

import static io.nightshift.coordinator.scheduling.Fixtures.agent;
import static io.nightshift.coordinator.scheduling.Fixtures.queue;
import static io.nightshift.coordinator.scheduling.Fixtures.snapshot;
import static io.nightshift.coordinator.scheduling.Fixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FinishRatesTest {

    /** A fake clock: the test moves time by hand. */
    private Instant now = Instant.parse("2026-03-01T22:00:00Z");

    private final FinishRates rates = new FinishRates(Duration.ofMinutes(10));

    private void tick(long seconds) {
        now = now.plusSeconds(seconds);
    }

    @Test
    void aQueueWithNoEndsHasNoRateSoItsTasksGetNoEta() {
        assertThat(rates.perMinute(now)).isEmpty();
    }

    @Test
    void endsWithinTheWindowCountPerMinuteOverTheWholeWindow() {
        // 20 ends of queue etl over the last 10 minutes: 2 a minute; 5 of ml: 0.5 a minute
        for (int i = 0; i < 20; i++) {
            rates.ended("etl", now);
            if (i % 4 == 0) rates.ended("ml", now);
            tick(30);
        }

        assertThat(rates.perMinute(now)).hasSize(2);
        assertThat(rates.perMinute(now).get("etl")).isCloseTo(2.0, offset(1e-9));
        assertThat(rates.perMinute(now).get("ml")).isCloseTo(0.5, offset(1e-9));
    }

    @Test
    void endsOlderThanTheWindowAreForgottenAndAQueueWithNoneLeftHasNoRate() {
        rates.ended("etl", now);
        tick(300);
        rates.ended("etl", now);
        tick(301);   // the first end is now 601 s old, the second 301 s

        assertThat(rates.perMinute(now).get("etl")).isCloseTo(0.1, offset(1e-9));   // 1 end in 10 minutes

        tick(300);
        assertThat(rates.perMinute(now)).doesNotContainKey("etl");
    }

    @Test
    void aQueueEndingMoreThanTheCapKeepsTheNewestAndMeasuresOverTheirSpan() {
        FinishRates capped = new FinishRates(Duration.ofMinutes(10), 10);
        for (int i = 0; i < 30; i++) {   // one end a second for 30 s: 60 a minute
            capped.ended("hot", now);
            tick(1);
        }

        // the 10 kept ends span the last 10 s: 10 per 10 s = 60 a minute
        assertThat(capped.perMinute(now).get("hot")).isCloseTo(60.0, offset(1e-9));
    }

    @Test
    void theWindowMustBePositive() {
        assertThatThrownBy(() -> new FinishRates(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window");
    }

    @Test
    void measuredRatesGiveQueuedTasksAnEtaThroughTheSnapshot() {
        // 12 ends of q in the last 10 minutes: 1.2 a minute; two tasks wait behind one that fits, so the first
        // waiting one is expected in 1 / 1.2 min = 50 s and the next in 100 s
        for (int i = 0; i < 12; i++) {
            rates.ended("q", now);
            tick(50);
        }
        var plan = new OfferCycle(SchedulingPolicy.defaults()).plan(snapshot().now(now).queues(queue("q", 1))
                .finishRates(rates.perMinute(now)).agents(agent("a1").cpus(1).memMb(1024))
                .pending(task("q-0").queue("q").cpus(1).memMb(256), task("q-1").queue("q").cpus(1).memMb(256),
                        task("q-2").queue("q").cpus(1).memMb(256)).build());

        assertThat(plan.placementOf("q-0")).isPresent();
        assertThat(plan.etas()).containsEntry("q-1", now.plusSeconds(50)).containsEntry("q-2", now.plusSeconds(100));
    }
}
