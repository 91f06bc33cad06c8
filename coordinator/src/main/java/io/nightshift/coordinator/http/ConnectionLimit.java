package io.nightshift.coordinator.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the HTTP connections a coordinator serves at once. A connection counts from its first request
 * until it closes; a request on a new connection over the cap is answered 503 with {@code Retry-After}
 * and {@code Connection: close} (logged at most once a minute). Sockets that never send a request are
 * closed by the server's idle timeout ({@code coordinator.http.idle-timeout}). Agents, event streams and
 * API calls count alike.
 */
public final class ConnectionLimit implements Handler<HttpServerRequest> {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);
    private final int max;
    private final Handler<HttpServerRequest> next;
    private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();
    private volatile long lastWarned;

    public ConnectionLimit(int max, Handler<HttpServerRequest> next) {
        this.max = max;
        this.next = next;
    }

    @Override
    public void handle(HttpServerRequest req) {
        HttpConnection conn = req.connection();
        if (conn == null || open.contains(conn)) {
            next.handle(req);
            return;
        }
        if (open.size() >= max) {
            long now = System.nanoTime();
            if (now - lastWarned > 60_000_000_000L) {
                lastWarned = now;
                log.warn("connection from {} refused: this coordinator serves its cap of {} connections (coordinator.http.max-connections)",
                        conn.remoteAddress(), max);
            }
            req.response().setStatusCode(503).putHeader("Retry-After", "5").putHeader("Connection", "close")
                    .putHeader("Content-Type", Problems.CONTENT_TYPE)
                    .end("{\"type\":\"urn:nightshift:problem:too-many-connections\",\"title\":\"Too many connections\",\"status\":503,"
                            + "\"detail\":\"this coordinator serves at most " + max + " connections at once; retry in 5 s\"}")
                    .onComplete(v -> conn.close());
            return;
        }
        open.add(conn);
        conn.closeHandler(v -> open.remove(conn));
        next.handle(req);
    }

    /** Connections counted now. */
    public int open() {
        return open.size();
    }
}
