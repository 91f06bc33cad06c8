package io.nightshift.coordinator.http;

import io.nightshift.api.json.Json;
import io.nightshift.api.model.Event;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each event's server-sent-events frame ({@code id}, {@code event}, {@code data}), formatted once and
 * shared by every stream: with thousands of open streams an event costs one JSON serialization, not
 * one per stream. Keeps the frames of the most recent {@value #KEPT} events. Thread-safe.
 */
final class SseFrames {
    static final int KEPT = 8_192;

    private final Map<Long, byte[]> recent = new LinkedHashMap<>(KEPT * 2, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > KEPT;
        }
    };

    /** The frame of {@code e}, as UTF-8 bytes (callers must not change them). */
    byte[] frame(Event e) {
        synchronized (recent) {
            byte[] f = recent.get(e.seq());
            if (f != null) return f;
        }
        byte[] f = format(e);
        synchronized (recent) {
            recent.putIfAbsent(e.seq(), f);
        }
        return f;
    }

    static byte[] format(Event e) {
        return ("id: " + e.seq() + "\nevent: " + e.kind() + "\ndata: " + Json.write(e) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
