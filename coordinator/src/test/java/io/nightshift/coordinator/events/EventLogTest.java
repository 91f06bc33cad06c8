package io.nightshift.coordinator.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.model.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventLogTest {
    static final Instant T = Instant.parse("2026-11-25T00:00:00Z");

    @Test
    void resumingSubscriberGetsEveryLaterEventOnceInOrderThenLiveOnes() {
        EventLog log = new EventLog(100, 0);
        for (int i = 0; i < 5; i++) log.publish(T, "job", "j" + i, "j" + i, null, null, "QUEUED", null, null);
        List<Long> seen = new ArrayList<>();
        try (EventLog.Subscription s = log.subscribe(2, e -> seen.add(e.seq()))) {
            log.publish(T, "job", "j5", "j5", null, null, "QUEUED", null, null);
        }
        log.publish(T, "job", "j6", "j6", null, null, "QUEUED", null, null);
        assertThat(seen).containsExactly(3L, 4L, 5L, 6L);
    }

    @Test
    void liveOnlySubscriberSkipsHistoryAndRingKeepsTheNewest() {
        EventLog log = new EventLog(3, 10);
        for (int i = 0; i < 5; i++) log.publish(T, "job", "j", "j", null, null, "QUEUED", null, null);
        assertThat(log.lastSeq()).isEqualTo(15);
        assertThat(log.oldestSeq()).isEqualTo(13);
        List<Event> seen = new ArrayList<>();
        log.subscribe(Long.MAX_VALUE, seen::add);
        assertThat(seen).isEmpty();
        log.publish(T, "job", "j", "j", null, null, "RUNNING", null, null);
        assertThat(seen).extracting(Event::seq).containsExactly(16L);
    }
}
