package io.nightshift.coordinator.http;

import io.nightshift.api.model.Event;
import io.nightshift.coordinator.events.EventLog;
import io.nightshift.coordinator.progress.ProgressBoard;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /v1/events}: server-sent events, one per state change, {@code id} = event seq. A client
 * resuming with {@code Last-Event-ID} (header) or {@code ?lastEventId=} gets every later event still
 * in the replay buffer, then live ones, each once and in order. Without either it starts live;
 * {@code ?from=0} replays the whole buffer. A comment line every 15 s keeps proxies from closing it.
 * With {@code ?progress=true} kafka tasks' progress comes too, as {@code event: progress} without an
 * {@code id} (live only, rate-limited by the {@link ProgressBoard}; it does not move {@code Last-Event-ID}).
 *
 * <p>The event loop only writes bytes: a replay is read and formatted on a worker, {@value #PAGE} events a
 * page (a full page is formatted once and its buffer shared by every stream replaying it), the next page only
 * once the client has drained the last; live events come through one {@link SseFanout} per event loop, which
 * formats each batch once and writes the same buffer to all the loop's streams.
 */
final class SseHandler implements Handler<RoutingContext> {
    static final int PAGE = 500;
    static final int PAGES_KEPT = 64;
    private final EventLog events;
    private final StreamLimits limits;
    private final ProgressBoard progress;
    private final WorkerExecutor workers;
    private final SseFrames frames = new SseFrames();
    private final ConcurrentHashMap<Thread, Loop> loops = new ConcurrentHashMap<>();
    private final Map<Long, Page> pages = new LinkedHashMap<>(PAGES_KEPT * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Page> eldest) {
            return size() > PAGES_KEPT;
        }
    };

    SseHandler(EventLog events, StreamLimits limits, ProgressBoard progress, WorkerExecutor workers) {
        this.events = events;
        this.limits = limits;
        this.progress = progress;
        this.workers = workers;
    }

    /** One event loop's fan-out and its keep-alive timer. */
    private record Loop(Vertx vertx, SseFanout fanout, long keepAliveTimer) {
    }

    @Override
    public void handle(RoutingContext ctx) {
        String lastId = ctx.request().getHeader("Last-Event-ID");
        if (lastId == null) lastId = ctx.request().getParam("lastEventId");
        if (lastId == null) lastId = ctx.request().getParam("from");
        long after;
        if (lastId == null) {
            after = Long.MAX_VALUE; // live only
        } else if (lastId.matches("\\d{1,18}")) {
            after = Long.parseLong(lastId);
        } else {
            Problems.send(ctx, 400, "invalid-header", "Invalid Last-Event-ID", "Last-Event-ID must be an event number");
            return;
        }
        String progressParam = ctx.request().getParam("progress");
        if (progressParam != null && !progressParam.equals("true") && !progressParam.equals("false")) {
            Problems.send(ctx, 400, "invalid-query", "Invalid progress", "progress must be true or false");
            return;
        }
        boolean withProgress = "true".equals(progressParam) && progress != null;
        StreamLimits.Slot slot = limits.acquire(HttpApi.streamKey(Guard.principal(ctx)));
        if (slot == null) {
            limits.refuse(ctx, limits.open() >= limits.max());
            return;
        }
        HttpServerResponse resp = ctx.response();
        resp.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        long lastSeq = events.lastSeq();
        resp.write(": nightshift events; last id " + lastSeq + "\n\n");
        Stream stream = new Stream(ctx.vertx(), loop(ctx.vertx()).fanout, resp, slot, withProgress);
        resp.closeHandler(v -> stream.cleanup());
        resp.exceptionHandler(err -> stream.cleanup());
        if (after == Long.MAX_VALUE) stream.join(lastSeq); // live only: this loop has fanned out no later event yet
        else stream.replay(after);
    }

    /** This event loop's fan-out (the handler runs on an event loop: one fan-out per loop thread). */
    private Loop loop(Vertx vertx) {
        return loops.computeIfAbsent(Thread.currentThread(), t -> {
            Context context = vertx.getOrCreateContext();
            SseFanout fanout = new SseFanout(events, progress, frames, r -> context.runOnContext(v -> r.run()),
                    (millis, r) -> context.runOnContext(v -> vertx.setTimer(millis, id -> r.run())), System::nanoTime);
            long timer = vertx.setPeriodic(15_000, id -> fanout.keepAlive());
            return new Loop(vertx, fanout, timer);
        });
    }

    /** Streams that are live on some loop (replaying ones are not counted); read on any thread, for tests and metrics. */
    int liveStreams() {
        int n = 0;
        for (Loop l : loops.values()) n += l.fanout.members();
        return n;
    }

    /** Event-log subscriptions this handler holds: one per event loop that served a stream. */
    int loops() {
        return loops.size();
    }

    /** Stops every loop's fan-out (the API is closing). */
    void close() {
        for (Loop l : loops.values()) {
            l.vertx.cancelTimer(l.keepAliveTimer);
            l.fanout.close();
        }
        loops.clear();
    }

    /**
     * Up to {@value #PAGE} events after {@code from}, formatted, and kept for the next stream replaying from the same
     * place (thousands of streams opened with {@code from=0} get one buffer): a full page for good (its events never
     * change), a shorter one while no event came after it.
     */
    private Page page(long from) {
        long lastSeq = events.lastSeq(); // before the read: an event after it is fanned out live or replayed next
        synchronized (pages) {
            Page p = pages.get(from);
            if (p != null && (p.count == PAGE || p.lastSeqAtRead == lastSeq)) return p;
        }
        List<Event> list = events.page(from, PAGE);
        int size = 0;
        List<byte[]> framed = new java.util.ArrayList<>(list.size());
        for (Event e : list) {
            byte[] f = frames.frame(e);
            framed.add(f);
            size += f.length;
        }
        Buffer b = Buffer.buffer(size);
        for (byte[] f : framed) b.appendBytes(f);
        b = SseFanout.shared(b); // one direct copy for every stream replaying it, not one per stream at its socket write
        Page p = new Page(list.isEmpty() ? Math.min(from, lastSeq) : list.get(list.size() - 1).seq(), list.size(), b, lastSeq);
        synchronized (pages) {
            pages.put(from, p);
        }
        return p;
    }

    /** One client's stream: a paged replay (on a worker), then live events from its loop's {@link SseFanout}. */
    private final class Stream implements SseFanout.Sink {
        final Vertx vertx;
        final SseFanout fanout;
        final HttpServerResponse resp;
        final StreamLimits.Slot slot;
        final boolean withProgress;
        boolean closed;
        SseFanout.Member member;

        Stream(Vertx vertx, SseFanout fanout, HttpServerResponse resp, StreamLimits.Slot slot, boolean withProgress) {
            this.vertx = vertx;
            this.fanout = fanout;
            this.resp = resp;
            this.slot = slot;
            this.withProgress = withProgress;
        }

        /** Replays one page after {@code from} (read and formatted on a worker), then the next once drained, then goes live. */
        void replay(long from) {
            if (closed) return;
            workers.executeBlocking(() -> page(from), false).onComplete(ar -> {
                if (closed) return;
                if (ar.failed()) {
                    resp.reset();
                    return;
                }
                Page p = ar.result();
                if (p.bytes.length() > 0) resp.write(p.bytes);
                if (p.count < PAGE) join(p.last); // caught up
                else if (resp.writeQueueFull()) resp.drainHandler(v -> replay(p.last));
                else replay(p.last);
            });
        }

        /** On the loop: goes live after {@code after}, or first replays what the loop fanned out since. */
        void join(long after) {
            if (closed) return;
            member = fanout.join(this, after, withProgress);
            if (member == null) replay(after);
        }

        @Override
        public boolean writeQueueFull() {
            return closed || resp.writeQueueFull();
        }

        @Override
        public void write(Buffer bytes) {
            if (!closed) resp.write(bytes);
        }

        @Override
        public void cut() { // a client that does not read: end it, it may resume
            if (closed) return;
            closed = true;
            resp.write("event: end\ndata: {\"reason\":\"too slow; reconnect with Last-Event-ID\"}\n\n");
            resp.end();
            vertx.setTimer(5_000, id -> resp.reset()); // its buffers are full: do not wait for it to read the end
        }

        void cleanup() {
            slot.release();
            closed = true;
            fanout.leave(member);
        }
    }

    private record Page(long last, int count, Buffer bytes, long lastSeqAtRead) {
    }
}
