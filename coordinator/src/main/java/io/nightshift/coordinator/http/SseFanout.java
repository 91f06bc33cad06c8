package io.nightshift.coordinator.http;

import io.nightshift.api.json.Json;
import io.nightshift.api.model.Event;
import io.nightshift.coordinator.events.EventLog;
import io.nightshift.coordinator.progress.ProgressBoard;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The live part of the event streams of ONE event loop: a single {@link EventLog} subscription (not one per
 * stream) whose events are handed to the loop in batches: what arrives within {@value #BATCH_MILLIS} ms goes
 * together, or within {@value #IDLE_SHARE} times as long as the last batch took to write, so that writing to many
 * streams takes at most about a fifth of the loop's time. Each batch is formatted once into one shared
 * {@link Buffer} that is written to every stream of the loop, {@value #SLICE} streams per loop task so that requests
 * in between wait for one slice, not for thousands of streams. A stream whose write queue is full is cut (an {@code end} event, then closed: it may resume with
 * {@code Last-Event-ID}) without formatting anything for it.
 *
 * <p>Every method but {@link #offer} runs on the loop's thread ({@code onLoop} runs a task there), so the
 * member list and {@link #fannedOut()} need no lock. A stream joins with the last event it was sent (its replay's
 * end); if the loop has already fanned out later events, {@link #join} refuses and the stream replays the gap
 * first. So each stream sees every event once, in order. Every {@code /v1/events} stream needs {@code read} (all
 * queues), so all streams see the same events; a progress document goes only to streams that asked for progress.
 */
final class SseFanout {
    static final Buffer KEEP_ALIVE = Buffer.buffer(": keep-alive\n\n");
    /** How long events gather before they go out together. */
    static final long BATCH_MILLIS = 100;
    /** The wait before the next batch, as a multiple of how long the last one took to write (at least {@link #BATCH_MILLIS}). */
    static final int IDLE_SHARE = 4;
    /** Streams written in one go before the loop serves other work (a submit waits for at most one slice). */
    static final int SLICE = 64;

    /** Where a stream's bytes go (its HTTP response); called on the loop only. */
    interface Sink {
        boolean writeQueueFull();

        void write(Buffer bytes);

        /** Ends a stream that does not keep up: an {@code end} event, then closed. */
        void cut();
    }

    /** One stream of this loop. */
    static final class Member {
        final Sink sink;
        final boolean withProgress;
        long after;
        boolean gone;

        private Member(Sink sink, boolean withProgress, long after) {
            this.sink = sink;
            this.withProgress = withProgress;
            this.after = after;
        }
    }

    private final SseFrames frames;
    private final Consumer<Runnable> onLoop;
    private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>(); // Event or a progress document
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final List<Member> members = new ArrayList<>();
    private volatile int live; // members not gone; changed on the loop only
    private final EventLog.Subscription subscription;
    private final ProgressBoard progress;
    private AutoCloseable progressSub;
    private final BiConsumer<Long, Runnable> later;
    private final LongSupplier nanoTime;
    private volatile long lastPassNanos;
    private long passNanos;
    private long fannedOut;
    private Pass pass;
    /** A keep-alive is going out a slice at a time. */
    private boolean keepingAlive;
    /** A batch went out since the last {@link #keepAlive} call. */
    private boolean sentSinceKeepAlive;

    /**
     * Subscribes to {@code events} at once; {@code progress} may be null (no progress documents). {@code onLoop} runs
     * a task on the loop soon; {@code later} runs one on the loop after the given milliseconds (what arrives meanwhile
     * goes out in the same batch: one write per stream for many events); {@code nanoTime} times the writing.
     */
    SseFanout(EventLog events, ProgressBoard progress, SseFrames frames, Consumer<Runnable> onLoop,
              BiConsumer<Long, Runnable> later, LongSupplier nanoTime) {
        this.frames = frames;
        this.onLoop = onLoop;
        this.later = later;
        this.nanoTime = nanoTime;
        this.progress = progress;
        EventLog.Live sub = events.subscribeLive(this::offer);
        this.fannedOut = sub.lastSeq();
        this.subscription = sub.subscription();
    }

    /** From any thread (the event log calls it with its lock held): queues {@code o} and wakes the loop once. */
    void offer(Object o) {
        inbox.add(o);
        if (scheduled.compareAndSet(false, true)) later.accept(batchDelayMillis(), this::drain);
    }

    /** The last event written to this loop's streams (or the last before its subscription). */
    long fannedOut() {
        return fannedOut;
    }

    /**
     * Adds a stream that was sent every event up to {@code after}; null when this loop has already fanned out a
     * later event (the stream must be sent the events after {@code after} first, then try again).
     */
    Member join(Sink sink, long after, boolean withProgress) {
        if (after < fannedOut) return null;
        Member m = new Member(sink, withProgress, after);
        members.add(m);
        live++;
        if (withProgress && progress != null && progressSub == null) progressSub = progress.subscribe(this::offer);
        return m;
    }

    /** A stream that closed: it gets nothing more. */
    void leave(Member m) {
        if (m != null) gone(m);
    }

    private void gone(Member m) {
        if (m.gone) return;
        m.gone = true;
        live--;
    }

    /** Streams of this loop that are live (written on the loop, read on any thread). */
    int members() {
        return live;
    }

    /**
     * Writes a comment to every stream (proxies close silent connections), {@value #SLICE} streams per loop task like a
     * batch, and cuts those that are full. Skipped while a batch goes out, and when one went out since the last call:
     * every stream got bytes since then (a stream that joined later got its replay), which is traffic enough. Writing
     * the comment to thousands of streams in one task held the loop for as long as a whole batch pass and delayed the
     * requests behind it.
     */
    void keepAlive() {
        if (pass != null || keepingAlive) return;
        if (sentSinceKeepAlive) {
            sentSinceKeepAlive = false;
            return;
        }
        keepingAlive = true;
        keepAlive(new ArrayList<>(members), 0);
    }

    private void keepAlive(List<Member> targets, int from) {
        int end = Math.min(targets.size(), from + SLICE);
        for (int i = from; i < end; i++) {
            Member m = targets.get(i);
            if (m.gone) continue;
            try {
                if (m.sink.writeQueueFull()) cut(m);
                else m.sink.write(KEEP_ALIVE);
            } catch (RuntimeException e) {
                gone(m);
            }
        }
        if (end < targets.size()) {
            onLoop.accept(() -> keepAlive(targets, end));
            return;
        }
        keepingAlive = false;
        if (pass == null) members.removeIf(m -> m.gone); // a pass under way indexes the list: it removes them itself
    }

    /** Stops listening (the loop's streams get nothing more). */
    void close() {
        subscription.close();
        AutoCloseable p = progressSub;
        if (p != null) {
            try {
                p.close();
            } catch (Exception ignored) {
                // only removes a listener
            }
        }
    }

    /** On the loop: everything queued since the last drain, formatted once, written to each stream a slice at a time. */
    void drain() {
        scheduled.set(false);
        if (pass != null) return; // the pass under way wakes the next drain when it is done
        List<Object> batch = new ArrayList<>();
        for (Object o; (o = inbox.poll()) != null; ) batch.add(o);
        if (batch.isEmpty()) return;
        long first = Long.MAX_VALUE;
        long last = fannedOut;
        Buffer eventsOnly = Buffer.buffer();
        Buffer withProgress = null;
        for (Object o : batch) {
            if (o instanceof Event e) {
                if (e.seq() <= last) continue; // never twice
                if (first == Long.MAX_VALUE) first = e.seq();
                last = e.seq();
                byte[] f = frames.frame(e);
                eventsOnly.appendBytes(f);
                if (withProgress != null) withProgress.appendBytes(f);
            } else {
                if (withProgress == null) withProgress = eventsOnly.copy();
                withProgress.appendBytes(progressFrame(o));
            }
        }
        eventsOnly = shared(eventsOnly);
        withProgress = withProgress == null ? eventsOnly : shared(withProgress);
        fannedOut = last; // every member from now on gets these (a later joiner only those after its replay)
        pass = new Pass(batch, first, last, eventsOnly, withProgress);
        passNanos = 0;
        write(0);
    }

    /** Writes the pass to members {@code from}.. up to {@value #SLICE} of them, then lets the loop do other work first. */
    private void write(int from) {
        Pass p = pass;
        long t0 = nanoTime.getAsLong();
        int end = Math.min(members.size(), from + SLICE);
        for (int i = from; i < end; i++) {
            Member m = members.get(i);
            if (m.gone) continue;
            Buffer b;
            if (m.after < p.first) b = m.withProgress ? p.withProgress : p.eventsOnly;
            else b = partial(p.batch, m.after, m.withProgress); // joined while these were on their way: only the later ones
            if (b.length() == 0) continue;
            try {
                if (m.sink.writeQueueFull()) { // a client that does not read: cut it, formatting nothing for it
                    cut(m);
                    continue;
                }
                m.sink.write(b);
                if (p.last > m.after) m.after = p.last;
                if (m.sink.writeQueueFull()) cut(m);
            } catch (RuntimeException e) { // its connection is gone: the others must still get the batch
                gone(m);
            }
        }
        passNanos += nanoTime.getAsLong() - t0;
        if (end < members.size()) {
            onLoop.accept(() -> write(end));
            return;
        }
        pass = null;
        sentSinceKeepAlive = true;
        members.removeIf(x -> x.gone);
        lastPassNanos = passNanos;
        if (!inbox.isEmpty() && scheduled.compareAndSet(false, true)) later.accept(batchDelayMillis(), this::drain);
    }

    /** How long the next batch gathers: {@link #BATCH_MILLIS}, or {@link #IDLE_SHARE} times the last batch's writing. */
    long batchDelayMillis() {
        return Math.max(BATCH_MILLIS, IDLE_SHARE * lastPassNanos / 1_000_000);
    }

    /** A batch being written to the loop's members. */
    private record Pass(List<Object> batch, long first, long last, Buffer eventsOnly, Buffer withProgress) {
    }

    private Buffer partial(List<Object> batch, long after, boolean withProgress) {
        Buffer b = Buffer.buffer();
        for (Object o : batch) {
            if (o instanceof Event e) {
                if (e.seq() > after) b.appendBytes(frames.frame(e));
            } else if (withProgress) {
                b.appendBytes(progressFrame(o));
            }
        }
        return b;
    }

    private void cut(Member m) {
        gone(m);
        m.sink.cut();
    }

    /**
     * The same bytes in one direct buffer that every stream's write shares: Netty copies a heap buffer into a direct
     * one of each connection's own before the socket write, which with thousands of streams was a copy per stream.
     * A JDK direct buffer, freed by the garbage collector once no connection holds it (so it is never released).
     */
    static Buffer shared(Buffer heap) {
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(heap.length());
        direct.put(heap.getBytes()).flip();
        return io.vertx.core.internal.buffer.BufferInternal.buffer(io.netty.buffer.Unpooled.unreleasableBuffer(
                io.netty.buffer.Unpooled.wrappedBuffer(direct)));
    }

    static byte[] progressFrame(Object o) {
        return ("event: progress\ndata: " + Json.write(o) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
