package io.nightshift.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.spec.ArtifactSpec;
import io.nightshift.connectors.cache.ArtifactCache;
import io.nightshift.connectors.extract.Extractor;
import io.nightshift.connectors.fetch.FetcherRegistry;
import io.nightshift.connectors.fetch.Fetching;
import io.nightshift.connectors.fetch.FileFetcher;
import io.nightshift.connectors.stage.ArtifactStager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's cache metrics as Prometheus scrapes them, from a real cache fetching real files. */
class AgentMetricsTest {
    @TempDir Path dir;

    @Test
    void hitsMissesBytesDurationsEvictionsAndSizeAreScraped() throws Exception {
        Path served = Files.createDirectories(dir.resolve("served"));
        Files.write(served.resolve("a.bin"), new byte[3000]);
        Files.write(served.resolve("b.bin"), new byte[2000]);
        ArtifactCache cache = new ArtifactCache(dir.resolve("cache"), 4000, new FetcherRegistry(List.of(new FileFetcher(List.of(served)))),
                new Fetching(Fetching.Limits.DEFAULTS));
        ArtifactStager stager = new ArtifactStager(cache, new Extractor(Extractor.Limits.DEFAULTS));
        AgentMetrics metrics = new AgentMetrics("agent-1", cache, 4000, () -> 2);
        String a = served.resolve("a.bin").toUri().toString(), b = served.resolve("b.bin").toUri().toString();
        stager.stage(List.of(ArtifactSpec.of(a)), Files.createDirectories(dir.resolve("s1")), ArtifactStager.Progress.NONE);
        stager.stage(List.of(ArtifactSpec.of(a)), Files.createDirectories(dir.resolve("s2")), ArtifactStager.Progress.NONE);
        stager.stage(List.of(ArtifactSpec.of(b)), Files.createDirectories(dir.resolve("s3")), ArtifactStager.Progress.NONE); // evicts a

        String text = metrics.scrape();
        assertThat(text).contains("nightshift_agent_artifact_cache_hits_total{agent=\"agent-1\",scheme=\"file\"} 1.0")
                .contains("nightshift_agent_artifact_cache_misses_total{agent=\"agent-1\",scheme=\"file\"} 2.0")
                .contains("nightshift_agent_artifact_fetched_bytes_total{agent=\"agent-1\",scheme=\"file\"} 5000.0")
                .contains("nightshift_agent_artifact_fetch_failures_total{agent=\"agent-1\",scheme=\"file\"} 0.0")
                .contains("nightshift_agent_artifact_fetch_seconds_count{agent=\"agent-1\",scheme=\"file\"} 2")
                .contains("nightshift_agent_artifact_cache_evictions_total{agent=\"agent-1\"} 1.0")
                .contains("nightshift_agent_artifact_cache_evicted_bytes_total{agent=\"agent-1\"} 3000.0")
                .contains("nightshift_agent_artifact_cache_size_bytes{agent=\"agent-1\"} 2000.0")
                .contains("nightshift_agent_artifact_cache_max_bytes{agent=\"agent-1\"} 4000.0")
                .contains("nightshift_agent_attempts_active{agent=\"agent-1\"} 2.0");
    }
}
