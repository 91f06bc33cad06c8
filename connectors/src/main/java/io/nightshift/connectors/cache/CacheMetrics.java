package io.nightshift.connectors.cache;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one agent's artifact cache: hits, misses, bytes fetched and fetch time, per scheme. Thread-safe. */
public final class CacheMetrics {
    private final Map<String, Scheme> byScheme = new ConcurrentHashMap<>();
    private final LongAdder evictions = new LongAdder(), evictedBytes = new LongAdder();
    private final java.util.List<FetchListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Told of each download the cache completes (for a timer per scheme). */
    @FunctionalInterface
    public interface FetchListener {
        void fetched(String scheme, long bytes, long nanos);
    }

    public void onFetched(FetchListener l) {
        listeners.add(l);
    }

    void evicted(long bytes) {
        evictions.increment();
        evictedBytes.add(bytes);
    }

    /** Blobs evicted (LRU) since start. */
    public long evictions() {
        return evictions.sum();
    }

    /** Bytes freed by eviction since start. */
    public long evictedBytes() {
        return evictedBytes.sum();
    }

    /** One scheme's counters. */
    public static final class Scheme {
        final LongAdder hits = new LongAdder(), misses = new LongAdder(), bytes = new LongAdder(),
                fetches = new LongAdder(), fetchNanos = new LongAdder(), failures = new LongAdder();
    }

    /** A copy of one scheme's counters. */
    public record Snapshot(long hits, long misses, long bytesFetched, long fetches, long fetchMillis, long failures) {
    }

    private Scheme of(String scheme) {
        return byScheme.computeIfAbsent(scheme, s -> new Scheme());
    }

    void hit(String scheme) {
        of(scheme).hits.increment();
    }

    void miss(String scheme) {
        of(scheme).misses.increment();
    }

    void fetched(String scheme, long bytes, long nanos) {
        Scheme s = of(scheme);
        s.fetches.increment();
        s.bytes.add(bytes);
        s.fetchNanos.add(nanos);
        for (FetchListener l : listeners) l.fetched(scheme, bytes, nanos);
    }

    void failed(String scheme) {
        of(scheme).failures.increment();
    }

    public Map<String, Snapshot> snapshot() {
        Map<String, Snapshot> out = new TreeMap<>();
        byScheme.forEach((k, s) -> out.put(k, new Snapshot(s.hits.sum(), s.misses.sum(), s.bytes.sum(), s.fetches.sum(),
                s.fetchNanos.sum() / 1_000_000, s.failures.sum())));
        return out;
    }

    /** Totals over every scheme. */
    public Snapshot total() {
        long h = 0, m = 0, b = 0, f = 0, ms = 0, x = 0;
        for (Snapshot s : snapshot().values()) {
            h += s.hits();
            m += s.misses();
            b += s.bytesFetched();
            f += s.fetches();
            ms += s.fetchMillis();
            x += s.failures();
        }
        return new Snapshot(h, m, b, f, ms, x);
    }
}
