package io.nightshift.coordinator.http;

import io.nightshift.api.queue.QueueSpec;
import io.nightshift.coordinator.auth.Authenticator;
import io.nightshift.coordinator.auth.Principal;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Collection;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication and coarse authorization step in front of every route: no or an unknown token →
 * 401, a token without what the route needs → 403 naming the missing role. The caller's
 * {@link Principal} is left in the context for the route's own checks ({@link #principal}).
 */
final class Guard {
    private static final Logger log = LoggerFactory.getLogger(Guard.class);
    static final String PRINCIPAL = "nightshift.principal";

    private final Authenticator auth; // null: auth is off (insecure mode)
    private final WorkerExecutor workers;
    private final Supplier<Collection<QueueSpec>> queues;

    Guard(Authenticator auth, WorkerExecutor workers, Supplier<Collection<QueueSpec>> queues) {
        this.auth = auth;
        this.workers = workers;
        this.queues = queues;
    }

    static Principal principal(RoutingContext ctx) {
        Principal p = ctx.get(PRINCIPAL);
        if (p == null) throw new IllegalStateException("route without a guard: " + ctx.request().path());
        return p;
    }

    /** An authentication handler to Vert.x Web, so that it may follow a body handler on a route. */
    io.vertx.ext.web.handler.AuthenticationHandler need(Need need) {
        return ctx -> check(ctx, need);
    }

    /** The bearer token of the request, null when absent. */
    static String bearer(HttpServerRequest req) {
        String h = req.getHeader("Authorization");
        if (h == null) return null;
        h = h.strip();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return "";
        return h.substring(7).strip();
    }

    private void check(RoutingContext ctx, Need need) {
        if (need == Need.OPEN) {
            ctx.next();
            return;
        }
        if (auth == null) {
            ctx.put(PRINCIPAL, Principal.INSECURE);
            ctx.next();
            return;
        }
        String token = bearer(ctx.request());
        if (token == null) {
            unauthorized(ctx, "missing-token", "this call needs a token: send the header Authorization: Bearer <token>");
            return;
        }
        if (!Authenticator.wellFormed(token)) {
            unauthorized(ctx, "invalid-token", "the Authorization header must be 'Bearer <token>' with a token as issued by "
                    + "'nightshift tokens create'");
            return;
        }
        Principal cached = auth.cached(token);
        if (cached != null) {
            authorize(ctx, need, cached);
            return;
        }
        HttpServerRequest req = ctx.request();
        boolean upgrade = "websocket".equalsIgnoreCase(req.getHeader("Upgrade"));
        boolean paused = !req.isEnded();
        if (paused) req.pause(); // nothing of the request is lost while the database answers
        workers.executeBlocking(() -> auth.verify(token), false).onComplete(ar -> {
            try {
                decide(ctx, need, ar);
            } finally { // after the next handlers are installed, so no byte of a body is lost
                if (paused && !upgrade) req.resume(); // a WebSocket upgrade stays paused until toWebSocket()
            }
        });
    }

    private void decide(RoutingContext ctx, Need need, io.vertx.core.AsyncResult<java.util.Optional<Principal>> ar) {
        HttpServerRequest req = ctx.request();
        {
            if (ar.failed()) {
                log.warn("token check failed on {} {}: {}", req.method(), req.path(), ar.cause().toString());
                Problems.send(ctx, 503, "auth-unavailable", "Authentication unavailable",
                        "the token could not be checked right now; retry in a few seconds");
            } else if (ar.result().isEmpty()) {
                unauthorized(ctx, "invalid-token", "the token is unknown or has been revoked");
            } else {
                authorize(ctx, need, ar.result().get());
            }
        }
    }

    private void authorize(RoutingContext ctx, Need need, Principal p) {
        boolean ok = switch (need) {
            case OPEN, TOKEN -> true;
            case SOME_READ -> p.readsSome(queues.get());
            case SOME_SUBMIT -> p.submitsSome(queues.get());
            case READ -> p.readsAll();
            case AGENT -> p.agent();
            case ADMIN -> p.admin();
        };
        if (!ok) {
            forbidden(ctx, p, "role " + need.role);
            return;
        }
        ctx.put(PRINCIPAL, p);
        ctx.next();
    }

    private static void unauthorized(RoutingContext ctx, String slug, String detail) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"nightshift\"");
        Problems.send(ctx, 401, slug, "Unauthorized", detail);
    }

    /** 403 naming what is missing, e.g. {@code role admin} or {@code submit on queue 'etl'}. */
    static void forbidden(RoutingContext ctx, Principal p, String missing) {
        log.info("forbidden: {} {} by '{}' (token {}): needs {}", ctx.request().method(), ctx.request().path(), p.subject(),
                p.tokenId(), missing);
        Problems.send(ctx, 403, "forbidden", "Forbidden", "token of '" + p.subject() + "' lacks " + missing);
    }
}
