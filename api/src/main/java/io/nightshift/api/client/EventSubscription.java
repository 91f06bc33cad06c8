package io.nightshift.api.client;

import com.fasterxml.jackson.databind.ObjectReader;
import io.nightshift.api.model.Event;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live subscription to {@code GET /v1/events} (server-sent events), read on one daemon thread.
 * Each event is handed to the listener in order. When the stream breaks, the subscription
 * reconnects with {@code Last-Event-ID} (back-off 100 ms doubling to 5 s), so no event is lost
 * as long as the coordinator still holds it. A 4xx answer ends the subscription ({@link #error()}).
 * {@link #close()} stops it; the listener is never called after {@code close()} returns.
 */
public final class EventSubscription implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventSubscription.class);

    /** Opens the stream once; returns it with the status so the loop can decide. */
    interface Connector {
        Opened open(Long lastEventId) throws IOException, InterruptedException;
    }

    record Opened(int status, InputStream body) {
    }

    private final Connector connector;
    private final Consumer<Event> listener;
    private final ObjectReader eventReader;
    private final CountDownLatch connected = new CountDownLatch(1);
    private final Object listenerLock = new Object();
    private final Thread thread;
    private volatile boolean closed;
    private volatile InputStream current;
    private volatile Long lastEventId;
    private volatile RuntimeException error;

    EventSubscription(Connector connector, Long lastEventId, Consumer<Event> listener, ObjectReader eventReader) {
        this.connector = connector;
        this.listener = listener;
        this.eventReader = eventReader;
        this.lastEventId = lastEventId;
        this.thread = new Thread(this::loop, "nightshift-events");
        this.thread.setDaemon(true);
    }

    EventSubscription start() {
        thread.start();
        return this;
    }

    /** Waits until the first connection is open (events from then on are delivered). */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The id of the last event delivered, or the one subscribed after. */
    public Long lastEventId() {
        return lastEventId;
    }

    /** Why the subscription ended on its own (a 4xx answer), or {@code null}. */
    public RuntimeException error() {
        return error;
    }

    public boolean isOpen() {
        return !closed && thread.isAlive();
    }

    private void loop() {
        long backoffMs = 100;
        while (!closed) {
            try {
                Opened o = connector.open(lastEventId);
                if (o.status() != 200) {
                    String text = new String(o.body().readAllBytes(), StandardCharsets.UTF_8);
                    o.body().close();
                    if (o.status() >= 400 && o.status() < 500) {
                        error = new NightshiftException(o.status(), null, "event stream refused",
                                text.isBlank() ? null : text.strip(), null);
                        return;
                    }
                    throw new IOException("event stream answered HTTP " + o.status());
                }
                current = o.body();
                if (closed) break;
                connected.countDown();
                backoffMs = 100;
                read(o.body());
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (closed) return;
                log.debug("event stream broke, reconnecting in {} ms: {}", backoffMs, e.toString());
            } finally {
                closeQuietly(current);
            }
            if (closed) return;
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                return;
            }
            backoffMs = Math.min(backoffMs * 2, 5_000);
        }
    }

    private void read(InputStream in) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        StringBuilder data = new StringBuilder();
        String id = null;
        String line;
        while ((line = r.readLine()) != null) {
            if (closed) return;
            if (line.isEmpty()) {
                if (data.length() > 0) dispatch(id, data.toString());
                data.setLength(0);
                id = null;
                continue;
            }
            if (line.startsWith(":")) continue;
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) value = value.substring(1);
            switch (field) {
                case "data" -> {
                    if (data.length() > 0) data.append('\n');
                    data.append(value);
                }
                case "id" -> id = value;
                default -> { } // "event" (the kind is in the data too), "retry"
            }
        }
    }

    private void dispatch(String id, String data) {
        Event event;
        try {
            event = eventReader.readValue(data);
        } catch (IOException e) {
            log.debug("skipping unreadable event {}: {}", id, e.toString());
            return;
        }
        synchronized (listenerLock) {
            if (closed) return;
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                log.warn("event listener failed on event {}: {}", id, e.toString());
            }
        }
        if (id != null) {
            try {
                lastEventId = Long.parseLong(id.trim());
            } catch (NumberFormatException ignored) {
                lastEventId = event.seq();
            }
        } else {
            lastEventId = event.seq();
        }
    }

    @Override
    public void close() {
        synchronized (listenerLock) {
            closed = true;
        }
        closeQuietly(current);
        if (Thread.currentThread() == thread) return;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in == null) return;
        try {
            in.close();
        } catch (IOException ignored) {
            // closing a cancelled stream
        }
    }
}
