package io.nightshift.coordinator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeartbeatReconcilerTest {
    static final Duration GRACE = Duration.ofSeconds(15);
    static final Instant T0 = Instant.parse("2026-12-02T03:00:00Z");
    final HeartbeatReconciler r = new HeartbeatReconciler();

    HeartbeatReconciler.Verdict beat(int second, Set<String> here, Set<String> anywhere, List<String> running, List<String> reported) {
        return r.onHeartbeat(here, anywhere, running, reported, T0.plusSeconds(second), GRACE);
    }

    @Test
    void aLaunchTheAgentNeverReceivedIsGoneOnceItWasLeftOutForTheGraceNotBefore() {
        Set<String> here = Set.of("a1", "a2");
        assertThat(beat(0, here, here, List.of("a1"), List.of()).isEmpty()).isTrue(); // a2 may still be on the wire
        assertThat(beat(2, here, here, List.of("a1"), List.of()).gone()).isEmpty();
        assertThat(beat(14, here, here, List.of("a1"), List.of()).gone()).isEmpty();
        assertThat(beat(15, here, here, List.of("a1"), List.of()).gone()).containsExactly("a2");
        // reported once: its suspicion starts over only if it is left out again
        assertThat(beat(17, here, here, List.of("a1"), List.of()).gone()).isEmpty();
    }

    @Test
    void anAttemptThatShowsUpBeforeTheGraceRunsOutIsNotReconciledAndItsSuspicionStartsOver() {
        Set<String> here = Set.of("a1");
        beat(0, here, here, List.of(), List.of());
        assertThat(beat(10, here, here, List.of("a1"), List.of()).isEmpty()).isTrue(); // the launch arrived
        assertThat(beat(16, here, here, List.of(), List.of()).gone()).isEmpty(); // left out anew at 16: not yet
        assertThat(beat(31, here, here, List.of(), List.of()).gone()).containsExactly("a1");
    }

    @Test
    void anAttemptWithUnacknowledgedUpdatesIsListedEvenWhenItNoLongerRuns() {
        Set<String> here = Set.of("a1");
        beat(0, here, here, List.of(), List.of("a1"));
        assertThat(beat(30, here, here, List.of(), List.of("a1")).isEmpty()).isTrue();
    }

    @Test
    void anAttemptTheLeaderStopsBelievingInIsForgotten() {
        beat(0, Set.of("a1"), Set.of("a1"), List.of(), List.of());
        assertThat(beat(10, Set.of(), Set.of(), List.of(), List.of()).isEmpty()).isTrue(); // ended meanwhile
        assertThat(beat(20, Set.of("a1"), Set.of("a1"), List.of(), List.of()).gone()).as("suspected afresh at 20").isEmpty();
    }

    @Test
    void anAttemptTheAgentRunsThatTheLeaderDoesNotKnowIsKilledAfterTheGrace() {
        assertThat(beat(0, Set.of(), Set.of("b1"), List.of("x1", "b1"), List.of()).kill()).isEmpty();
        assertThat(beat(14, Set.of(), Set.of("b1"), List.of("x1", "b1"), List.of()).kill()).isEmpty();
        HeartbeatReconciler.Verdict v = beat(15, Set.of(), Set.of("b1"), List.of("x1", "b1"), List.of());
        assertThat(v.kill()).containsExactly("x1"); // b1 is known (on another agent): not this check's business
        assertThat(v.gone()).isEmpty();
        // it stopped meanwhile: nothing more; known meanwhile (a launch stored late): never killed
        assertThat(beat(16, Set.of(), Set.of(), List.of(), List.of()).isEmpty()).isTrue();
        beat(20, Set.of(), Set.of(), List.of("y1"), List.of());
        assertThat(beat(30, Set.of("y1"), Set.of("y1"), List.of("y1"), List.of()).isEmpty()).isTrue();
        assertThat(beat(40, Set.of(), Set.of(), List.of("y1"), List.of()).kill()).as("unknown afresh from 40").isEmpty();
    }

    @Test
    void aRegistrationStartsEverySuspicionOver() {
        Set<String> here = Set.of("a1");
        beat(0, here, here, List.of("x1"), List.of());
        r.reset();
        HeartbeatReconciler.Verdict v = beat(15, here, here, List.of("x1"), List.of());
        assertThat(v.isEmpty()).isTrue();
        assertThat(beat(30, here, here, List.of("x1"), List.of())).isEqualTo(new HeartbeatReconciler.Verdict(List.of("a1"), List.of("x1")));
    }
}
