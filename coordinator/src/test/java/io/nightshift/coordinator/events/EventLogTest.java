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

    @Test
    void pagesComeFromTheRingOrFromTheStoreWhenOlderInOrderAndBounded() {
        List<Event> stored = new ArrayList<>();
        for (long i = 1; i <= 10; i++) stored.add(new Event(i, T, "job", "j", "j", null, null, "QUEUED", null, null));
        EventLog log = new EventLog(4, 10, (after, limit) -> stored.stream().filter(e -> e.seq() > after).limit(limit).toList());
        for (int i = 0; i < 6; i++) log.publish(T, "job", "j", "j", null, null, "RUNNING", null, null); // 11..16; ring 13..16
        assertThat(log.page(0, 3)).extracting(Event::seq).containsExactly(1L, 2L, 3L);
        assertThat(log.page(9, 100)).as("older than the ring: the store's").extracting(Event::seq).containsExactly(10L);
        assertThat(log.page(12, 2)).as("in the ring").extracting(Event::seq).containsExactly(13L, 14L);
        assertThat(log.page(16, 5)).isEmpty();
    }
}
