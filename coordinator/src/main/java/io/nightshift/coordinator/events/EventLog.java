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
    private final History history;
    private long seq;
    private long delivered;

    /** Older events than the ring holds, from the durable store: up to {@code limit} after {@code seq}, in order. */
    public interface History {
        List<Event> after(long seq, int limit);
    }

    public EventLog(int capacity, long lastSeq) {
        this(capacity, lastSeq, null);
    }

    /** {@code lastSeq}: the last number ever given out (from the durable store); numbering goes on from it. */
    public EventLog(int capacity, long lastSeq, History history) {
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(Math.min(capacity, 4096));
        this.seq = lastSeq;
        this.delivered = lastSeq;
        this.history = history;
    }

    /** Records a change and hands it to every subscriber. Returns the numbered event. */
    public synchronized Event publish(Instant time, String kind, String id, String jobId, String attemptId,
                                      String agentId, String state, String reason, Integer exitCode) {
        Event e = stage(time, kind, id, jobId, attemptId, agentId, state, reason, exitCode);
        deliver(e);
        return e;
    }

    /** Continues numbering after {@code lastSeq} (a new leader takes over the numbering from the store). */
    public synchronized void resume(long lastSeq) {
        if (lastSeq > seq) {
            seq = lastSeq;
            delivered = lastSeq;
        }
    }

    /** Numbers an event without delivering it (it is stored first, then {@link #deliver delivered}). */
    public synchronized Event stage(Instant time, String kind, String id, String jobId, String attemptId,
                                    String agentId, String state, String reason, Integer exitCode) {
        return stage(time, kind, id, jobId, attemptId, agentId, state, reason, exitCode, null);
    }

    /** As above, with a FETCHING attempt's fetch progress. */
    public synchronized Event stage(Instant time, String kind, String id, String jobId, String attemptId,
                                    String agentId, String state, String reason, Integer exitCode,
                                    io.nightshift.api.model.FetchProgress fetch) {
        return stage(time, kind, id, jobId, attemptId, agentId, state, reason, exitCode, fetch, null);
    }

    /** As above, with what the attempt's driver told about its application (Spark app id, driver UI URL). */
    public synchronized Event stage(Instant time, String kind, String id, String jobId, String attemptId,
                                    String agentId, String state, String reason, Integer exitCode,
                                    io.nightshift.api.model.FetchProgress fetch, io.nightshift.api.model.AppInfo app) {
        return new Event(++seq, time, kind, id, jobId, attemptId, agentId, state, reason, exitCode, fetch, app);
    }

    /** Hands a staged event to the ring and every subscriber; events must be delivered in seq order. */
    public synchronized void deliver(Event e) {
        if (e.seq() <= delivered) return; // a retried turn
        delivered = e.seq();
        if (ring.size() == capacity) ring.removeFirst();
        ring.addLast(e);
        for (Subscriber s : subscribers) s.sink.accept(e);
    }

    /**
     * Subscribes: events with seq &gt; {@code afterSeq} still in the ring are delivered first, then live
     * ones ({@code Long.MAX_VALUE}: live ones only). {@code sink} is called with the log's lock held: it must only enqueue, never block.
     */
    public synchronized Subscription subscribe(long afterSeq, Consumer<Event> sink) {
        if (afterSeq != Long.MAX_VALUE) {
            long ringStart = ring.isEmpty() ? delivered + 1 : ring.peekFirst().seq();
            long from = afterSeq;
            while (history != null && from + 1 < ringStart) { // older than the ring: from the durable store
                List<Event> older = history.after(from, 1000);
                if (older.isEmpty()) break;
                for (Event e : older) {
                    if (e.seq() >= ringStart) break;
                    sink.accept(e);
                    from = e.seq();
                }
                if (older.get(older.size() - 1).seq() >= ringStart - 1) break;
            }
            for (Event e : ring) if (e.seq() > afterSeq) sink.accept(e);
        }
        Subscriber s = new Subscriber(sink);
        subscribers.add(s);
        return () -> subscribers.remove(s);
    }

    /** A live subscription and the last event delivered before it began (the subscriber sees every later one). */
    public record Live(long lastSeq, Subscription subscription) {
    }

    /**
     * Subscribes to live events only, and tells atomically which was the last one before: the subscriber sees
     * exactly the events after {@link Live#lastSeq()}. {@code sink} is called with the log's lock held: it must only enqueue.
     */
    public synchronized Live subscribeLive(Consumer<Event> sink) {
        return new Live(delivered, subscribe(Long.MAX_VALUE, sink));
    }

    /**
     * Up to {@code limit} events with seq &gt; {@code afterSeq}, in order, for a paged replay: from the ring
     * when it still holds them, else from the durable store, read without holding this log's lock (so
     * publishers never wait on a replay). Empty when there is nothing after {@code afterSeq}.
     */
    public List<Event> page(long afterSeq, int limit) {
        long ringStart;
        synchronized (this) {
            ringStart = ring.isEmpty() ? delivered + 1 : ring.peekFirst().seq();
            if (afterSeq + 1 >= ringStart || history == null) {
                List<Event> out = new ArrayList<>(Math.min(limit, ring.size()));
                for (Event e : ring) {
                    if (e.seq() > afterSeq) {
                        out.add(e);
                        if (out.size() == limit) break;
                    }
                }
                return out;
            }
        }
        List<Event> older = history.after(afterSeq, limit);
        return older.size() > limit ? older.subList(0, limit) : older;
    }

    /** The last event delivered to subscribers. */
    public synchronized long lastSeq() {
        return delivered;
    }

    /** Oldest event still replayable, or lastSeq+1 when empty. */
    public synchronized long oldestSeq() {
        return ring.isEmpty() ? delivered + 1 : ring.peekFirst().seq();
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
