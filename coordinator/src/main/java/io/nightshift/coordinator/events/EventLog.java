package io.nightshift.coordinator.events;

import io.nightshift.api.model.Event;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Numbered state-change events: a bounded ring of recent events for replay ({@code Last-Event-ID})
 * and live subscribers. Sequence numbers grow by one per event. A subscriber sees every event after
 * the one it names, exactly once, in order: replay and registration happen under one lock.
 */
public final class EventLog {
    private final int capacity;
    private final ArrayDeque<Event> ring;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private long seq;

    public EventLog(int capacity, long lastSeq) {
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(Math.min(capacity, 4096));
        this.seq = lastSeq;
    }

    /** Records a change and hands it to every subscriber. Returns the numbered event. */
    public synchronized Event publish(Instant time, String kind, String id, String jobId, String attemptId,
                                      String agentId, String state, String reason, Integer exitCode) {
        Event e = new Event(++seq, time, kind, id, jobId, attemptId, agentId, state, reason, exitCode);
        if (ring.size() == capacity) ring.removeFirst();
        ring.addLast(e);
        for (Subscriber s : subscribers) s.sink.accept(e);
        return e;
    }

    /**
     * Subscribes: events with seq &gt; {@code afterSeq} still in the ring are delivered first, then live
     * ones ({@code Long.MAX_VALUE}: live ones only). {@code sink} is called with the log's lock held: it must only enqueue, never block.
     */
    public synchronized Subscription subscribe(long afterSeq, Consumer<Event> sink) {
        if (afterSeq != Long.MAX_VALUE) for (Event e : ring) if (e.seq() > afterSeq) sink.accept(e);
        Subscriber s = new Subscriber(sink);
        subscribers.add(s);
        return () -> subscribers.remove(s);
    }

    public synchronized long lastSeq() {
        return seq;
    }

    /** Oldest event still replayable, or lastSeq+1 when empty. */
    public synchronized long oldestSeq() {
        return ring.isEmpty() ? seq + 1 : ring.peekFirst().seq();
    }

    public synchronized List<Event> recent(int max) {
        List<Event> all = new ArrayList<>(ring);
        return all.subList(Math.max(0, all.size() - max), all.size());
    }

    public int subscribers() {
        return subscribers.size();
    }

    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private record Subscriber(Consumer<Event> sink) {
    }
}
