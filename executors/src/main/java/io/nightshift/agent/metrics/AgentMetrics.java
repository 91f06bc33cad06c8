package io.nightshift.agent.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nightshift.connectors.cache.ArtifactCache;
import io.nightshift.connectors.cache.CacheMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The agent's Prometheus metrics, served at {@code GET /metrics} on its HTTP (log) port:
 * <pre>
 *   nightshift_agent_artifact_cache_hits_total{scheme}        artifacts served from the cache (no download)
 *   nightshift_agent_artifact_cache_misses_total{scheme}      artifacts that needed a download
 *   nightshift_agent_artifact_fetched_bytes_total{scheme}     bytes downloaded into the cache
 *   nightshift_agent_artifact_fetch_failures_total{scheme}    downloads that failed for good
 *   nightshift_agent_artifact_fetch_seconds{scheme}           download time (count, sum, max; histogram buckets)
 *   nightshift_agent_artifact_cache_evictions_total           blobs evicted (least recently used first)
 *   nightshift_agent_artifact_cache_evicted_bytes_total       bytes they held
 *   nightshift_agent_artifact_cache_size_bytes                bytes cached now
 *   nightshift_agent_artifact_cache_max_bytes                 the configured limit (agent.fetch.cache-max-mb)
 *   nightshift_agent_attempts_active                          attempts not yet ended
 * </pre>
 * Counters are read from the cache's own {@link CacheMetrics} at each scrape, so they start at 0 with
 * the agent process. Thread-safe.
 */
public final class AgentMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final CacheMetrics cache;
    private final Set<String> schemes = ConcurrentHashMap.newKeySet();

    public AgentMetrics(String agentId, ArtifactCache artifactCache, long cacheMaxBytes, java.util.function.IntSupplier activeAttempts) {
        registry.config().commonTags("agent", agentId);
        this.cache = artifactCache == null ? null : artifactCache.metrics();
        Gauge.builder("nightshift.agent.attempts.active", activeAttempts, s -> s.getAsInt())
                .description("Attempts on this agent that have not ended").register(registry);
        if (artifactCache == null) return;
        FunctionCounter.builder("nightshift.agent.artifact.cache.evictions", cache, CacheMetrics::evictions)
                .description("Cached blobs evicted, least recently used first").register(registry);
        FunctionCounter.builder("nightshift.agent.artifact.cache.evicted.bytes", cache, CacheMetrics::evictedBytes)
                .description("Bytes freed by eviction").register(registry);
        Gauge.builder("nightshift.agent.artifact.cache.size.bytes", artifactCache, AgentMetrics::size)
                .description("Bytes in the artifact cache now").register(registry);
        Gauge.builder("nightshift.agent.artifact.cache.max.bytes", () -> cacheMaxBytes)
                .description("The cache's size limit (agent.fetch.cache-max-mb)").register(registry);
        cache.onFetched((scheme, bytes, nanos) -> {
            perScheme(scheme);
            fetchTimer(scheme).record(Duration.ofNanos(nanos));
        });
    }

    private Timer fetchTimer(String scheme) {
        return Timer.builder("nightshift.agent.artifact.fetch").tags("scheme", scheme)
                .description("Time to download one artifact into the cache, retries included")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofHours(1))
                .register(registry);
    }

    /** The counters of one scheme, registered when it is first seen. */
    private void perScheme(String scheme) {
        if (!schemes.add(scheme)) return;
        Tags tags = Tags.of("scheme", scheme);
        counter("nightshift.agent.artifact.cache.hits", tags, s -> s.hits(), scheme, "Artifacts served from the cache, no download");
        counter("nightshift.agent.artifact.cache.misses", tags, s -> s.misses(), scheme, "Artifacts that needed a download");
        counter("nightshift.agent.artifact.fetched.bytes", tags, s -> s.bytesFetched(), scheme, "Bytes downloaded into the cache");
        counter("nightshift.agent.artifact.fetch.failures", tags, s -> s.failures(), scheme, "Downloads that failed for good");
        fetchTimer(scheme);
    }

    private void counter(String name, Tags tags, ToDoubleFunction<CacheMetrics.Snapshot> f, String scheme, String help) {
        FunctionCounter.builder(name, cache, c -> {
            CacheMetrics.Snapshot s = c.snapshot().get(scheme);
            return s == null ? 0 : f.applyAsDouble(s);
        }).tags(tags).description(help).register(registry);
    }

    private static double size(ArtifactCache c) {
        try {
            return c.sizeBytes();
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** The Prometheus text exposition (lists the cache directory: call off the event loop). */
    public String scrape() {
        if (cache != null) cache.snapshot().keySet().forEach(this::perScheme);
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }
}
