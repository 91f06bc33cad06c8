package io.nightshift.coordinator.http;

import io.nightshift.api.model.Event;
import io.nightshift.api.json.Json;
import io.nightshift.coordinator.events.EventLog;
import io.nightshift.coordinator.progress.ProgressBoard;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /v1/events}: server-sent events, one per state change, {@code id} = event seq. A client
 * resuming with {@code Last-Event-ID} (header) or {@code ?lastEventId=} gets every later event still
 * in the replay buffer, then live ones, each once and in order. Without either it starts live;
 * {@code ?from=0} replays the whole buffer. A comment line every 15 s keeps proxies from closing it.
 * With {@code ?progress=true} kafka tasks' progress comes too, as {@code event: progress} without an
 * {@code id} (live only, rate-limited by the {@link ProgressBoard}; it does not move {@code Last-Event-ID}).
 *
 * <p>The event loop only writes bytes: a replay is read and formatted on a worker, {@value #PAGE} events a
 * page, the next page only once the client has drained the last one; live events are formatted once for
 * every stream ({@link SseFrames}) and each stream's pending ones are written as one buffer.
 */
final class SseHandler implements Handler<RoutingContext> {
    private static final int MAX_QUEUED = 200_000;
    static final int PAGE = 500;
    private final EventLog events;
    private final StreamLimits limits;
    private final ProgressBoard progress;
    private final WorkerExecutor workers;
    private final SseFrames frames = new SseFrames();

    SseHandler(EventLog events, StreamLimits limits, ProgressBoard progress, WorkerExecutor workers) {
        this.events = events;
        this.limits = limits;
        this.progress = progress;
        this.workers = workers;
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
        resp.write(": nightshift events; last id " + events.lastSeq() + "\n\n");
        Stream stream = new Stream(ctx.vertx(), resp, slot, withProgress);
        resp.closeHandler(v -> stream.cleanup());
        resp.exceptionHandler(err -> stream.cleanup());
        if (after == Long.MAX_VALUE) stream.live(after);
        else stream.replay(after);
    }

    /** One client's stream: a paged replay (on a worker), then live events. */
    private final class Stream {
        final Vertx vertx;
        final Context context;
        final HttpServerResponse resp;
        final StreamLimits.Slot slot;
        final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>(); // Event or a progress document
        final boolean withProgress;
        final AtomicInteger size = new AtomicInteger();
        final AtomicBoolean scheduled = new AtomicBoolean();
        final AtomicBoolean closed = new AtomicBoolean();
        final long keepAlive;
        volatile EventLog.Subscription sub;
        volatile AutoCloseable progressSub;

        Stream(Vertx vertx, HttpServerResponse resp, StreamLimits.Slot slot, boolean withProgress) {
            this.withProgress = withProgress;
            this.vertx = vertx;
            this.context = vertx.getOrCreateContext();
            this.resp = resp;
            this.slot = slot;
            this.keepAlive = vertx.setPeriodic(15_000, id -> {
                if (!closed.get()) resp.write(": keep-alive\n\n");
            });
        }

        /** Replays one page after {@code from} (read and formatted on a worker), then the next once drained, then goes live. */
        void replay(long from) {
            if (closed.get()) return;
            workers.executeBlocking(() -> {
                java.util.List<Event> page = events.page(from, PAGE);
                Buffer b = Buffer.buffer();
                for (Event e : page) b.appendBytes(frames.frame(e));
                return new Page(page.isEmpty() ? from : page.get(page.size() - 1).seq(), page.size(), b);
            }, false).onComplete(ar -> {
                if (closed.get()) return;
                if (ar.failed()) {
                    resp.reset();
                    return;
                }
                Page p = ar.result();
                if (p.bytes.length() > 0) resp.write(p.bytes);
                if (p.count < PAGE) live(p.last); // caught up: the rest (a few, from the ring) comes with the subscription
                else if (resp.writeQueueFull()) resp.drainHandler(v -> replay(p.last));
                else replay(p.last);
            });
        }

        void live(long after) {
            if (closed.get()) return;
            java.util.function.Consumer<Object> enqueue = e -> {
                if (closed.get()) return;
                if (size.incrementAndGet() > MAX_QUEUED) { // a client too slow to keep up: cut it, it can resume
                    closed.set(true);
                    context.runOnContext(v -> resp.reset());
                    return;
                }
                queue.add(e);
                if (scheduled.compareAndSet(false, true)) context.runOnContext(v -> drain());
            };
            sub = events.subscribe(after, enqueue::accept);
            if (withProgress) progressSub = progress.subscribe(enqueue::accept);
            if (closed.get()) cleanup(); // closed while subscribing
        }

        /** An event's shared frame; a progress document (live only, rate-limited) is formatted here. */
        byte[] frame(Object o) {
            if (o instanceof Event e) return frames.frame(e);
            return ("event: progress\ndata: " + Json.write(o) + "\n\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        void drain() {
            scheduled.set(false);
            if (closed.get()) return;
            Object e = queue.poll();
            if (e == null) return;
            size.decrementAndGet();
            Object next = queue.poll();
            if (next == null) {
                resp.write(Buffer.buffer(frame(e)));
            } else {
                Buffer b = Buffer.buffer().appendBytes(frame(e));
                do {
                    size.decrementAndGet();
                    b.appendBytes(frame(next));
                } while ((next = queue.poll()) != null);
                resp.write(b);
            }
            if (resp.writeQueueFull() && !closed.get()) { // a client that does not read: end it, it may resume
                closed.set(true);
                resp.write("event: end\ndata: {\"reason\":\"too slow; reconnect with Last-Event-ID\"}\n\n");
                resp.end();
                vertx.setTimer(5_000, id -> resp.reset()); // its buffers are full: do not wait for it to read the end
            }
        }

        void cleanup() {
            slot.release();
            closed.set(true);
            EventLog.Subscription s = sub;
            if (s != null) s.close();
            AutoCloseable p = progressSub;
            if (p != null) {
                try {
                    p.close();
                } catch (Exception ignored) {
                    // only removes a listener
                }
            }
            vertx.cancelTimer(keepAlive);
        }
    }

    private record Page(long last, int count, Buffer bytes) {
    }
}
