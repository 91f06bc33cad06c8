package io.nightshift.coordinator.http;

import io.nightshift.api.json.Json;
import io.nightshift.api.model.Event;
import io.nightshift.coordinator.events.EventLog;
import io.nightshift.coordinator.progress.ProgressBoard;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
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
 */
final class SseHandler implements Handler<RoutingContext> {
    private static final int MAX_QUEUED = 200_000;
    private final EventLog events;
    private final StreamLimits limits;
    private final ProgressBoard progress;

    SseHandler(EventLog events, StreamLimits limits, ProgressBoard progress) {
        this.events = events;
        this.limits = limits;
        this.progress = progress;
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

        Vertx vertx = ctx.vertx();
        Context context = vertx.getOrCreateContext();
        ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>(); // Event or ProgressEvent
        AtomicInteger size = new AtomicInteger();
        AtomicBoolean scheduled = new AtomicBoolean();
        AtomicBoolean closed = new AtomicBoolean();
        Runnable drain = () -> {
            scheduled.set(false);
            if (closed.get()) return;
            StringBuilder sb = new StringBuilder();
            Object o;
            while ((o = queue.poll()) != null) {
                size.decrementAndGet();
                if (o instanceof Event e) {
                    sb.append("id: ").append(e.seq()).append('\n')
                            .append("event: ").append(e.kind()).append('\n')
                            .append("data: ").append(Json.write(e)).append("\n\n");
                } else {
                    sb.append("event: progress\n").append("data: ").append(Json.write(o)).append("\n\n");
                }
            }
            if (sb.length() > 0) resp.write(sb.toString());
            if (resp.writeQueueFull() && !closed.get()) { // a client that does not read: end it, it may resume
                closed.set(true);
                resp.write("event: end\ndata: {\"reason\":\"too slow; reconnect with Last-Event-ID\"}\n\n");
                resp.end();
                vertx.setTimer(5_000, id -> resp.reset()); // its buffers are full: do not wait for it to read the end
            }
        };
        java.util.function.Consumer<Object> enqueue = e -> {
            if (closed.get()) return;
            if (size.incrementAndGet() > MAX_QUEUED) { // a client too slow to keep up: cut it, it can resume
                closed.set(true);
                context.runOnContext(v -> resp.reset());
                return;
            }
            queue.add(e);
            if (scheduled.compareAndSet(false, true)) context.runOnContext(v -> drain.run());
        };
        EventLog.Subscription sub = events.subscribe(after, enqueue::accept);
        AutoCloseable progressSub = withProgress ? progress.subscribe(enqueue::accept) : () -> { };
        long keepAlive = vertx.setPeriodic(15_000, id -> {
            if (!closed.get()) resp.write(": keep-alive\n\n");
        });
        Runnable cleanup = () -> {
            slot.release();
            closed.set(true);
            sub.close();
            try {
                progressSub.close();
            } catch (Exception ignored) {
                // only removes a listener
            }
            vertx.cancelTimer(keepAlive);
        };
        resp.closeHandler(v -> cleanup.run());
        resp.exceptionHandler(err -> cleanup.run());
    }
}
