package io.nightshift.agent.fetch;

import io.nightshift.api.config.Config;
import io.nightshift.api.config.ConfigException;
import io.nightshift.connectors.cache.ArtifactCache;
import io.nightshift.connectors.extract.Extractor;
import io.nightshift.connectors.fetch.AddressPolicy;
import io.nightshift.connectors.fetch.Fetcher;
import io.nightshift.connectors.fetch.FetcherRegistry;
import io.nightshift.connectors.fetch.Fetching;
import io.nightshift.connectors.fetch.FileFetcher;
import io.nightshift.connectors.fetch.HdfsFetcher;
import io.nightshift.connectors.fetch.HttpFetcher;
import io.nightshift.connectors.fetch.S3Fetcher;
import io.nightshift.connectors.stage.ArtifactStager;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The typed fetch settings of one agent, and the stager built from them. */
public record FetchConfig(Path cacheDir, long cacheMaxMb, long maxMb, Duration timeout, Duration stallTimeout, int attempts,
                          int maxRedirects, Set<String> httpAllowedHosts, List<Path> fileAllowedDirs, long extractMaxMb,
                          int extractMaxEntries, int extractMaxRatio, S3Fetcher.Options s3, List<Path> hdfsConfDirs,
                          String hdfsUser) {

    public static final FetchConfig DEFAULTS = new FetchConfig(null, FetchSettings.CACHE_MAX_MB.defaultValue(),
            FetchSettings.MAX_MB.defaultValue(), FetchSettings.TIMEOUT.defaultValue(),
            FetchSettings.STALL_TIMEOUT.defaultValue(), FetchSettings.ATTEMPTS.defaultValue(),
            FetchSettings.MAX_REDIRECTS.defaultValue(), Set.of(), List.of(), FetchSettings.EXTRACT_MAX_MB.defaultValue(),
            FetchSettings.EXTRACT_MAX_ENTRIES.defaultValue(), FetchSettings.EXTRACT_MAX_RATIO.defaultValue(), null, List.of(),
            null);

    public FetchConfig {
        httpAllowedHosts = Set.copyOf(httpAllowedHosts);
        fileAllowedDirs = List.copyOf(fileAllowedDirs);
        hdfsConfDirs = hdfsConfDirs == null ? List.of() : List.copyOf(hdfsConfDirs);
        if (s3 == null) s3 = new S3Fetcher.Options(FetchSettings.S3_REGION.defaultValue(), null, false, null, null,
                Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    /** The same settings with another S3 store (tests and local mode). */
    public FetchConfig withS3(S3Fetcher.Options options) {
        return new FetchConfig(cacheDir, cacheMaxMb, maxMb, timeout, stallTimeout, attempts, maxRedirects, httpAllowedHosts,
                fileAllowedDirs, extractMaxMb, extractMaxEntries, extractMaxRatio, options, hdfsConfDirs, hdfsUser);
    }

    /** The same settings with other HDFS clusters (tests and local mode). */
    public FetchConfig withHdfs(List<Path> confDirs, String user) {
        return new FetchConfig(cacheDir, cacheMaxMb, maxMb, timeout, stallTimeout, attempts, maxRedirects, httpAllowedHosts,
                fileAllowedDirs, extractMaxMb, extractMaxEntries, extractMaxRatio, s3, confDirs, user);
    }

    public static FetchConfig from(Config c) {
        List<Path> dirs = new ArrayList<>();
        for (String d : split(c.get(FetchSettings.FILE_ALLOWED_DIRS))) {
            Path p = Path.of(d);
            if (!p.isAbsolute())
                throw new ConfigException(FetchSettings.FILE_ALLOWED_DIRS.name() + ": '" + d + "' must be an absolute path");
            dirs.add(p.normalize());
        }
        return new FetchConfig(c.get(FetchSettings.CACHE_DIR), c.get(FetchSettings.CACHE_MAX_MB), c.get(FetchSettings.MAX_MB),
                c.get(FetchSettings.TIMEOUT), c.get(FetchSettings.STALL_TIMEOUT), c.get(FetchSettings.ATTEMPTS),
                c.get(FetchSettings.MAX_REDIRECTS), new LinkedHashSet<>(split(c.get(FetchSettings.HTTP_ALLOWED_HOSTS))), dirs,
                c.get(FetchSettings.EXTRACT_MAX_MB), c.get(FetchSettings.EXTRACT_MAX_ENTRIES),
                c.get(FetchSettings.EXTRACT_MAX_RATIO), s3(c), paths(FetchSettings.HDFS_CONF_DIRS.name(),
                        c.get(FetchSettings.HDFS_CONF_DIRS)), c.get(FetchSettings.HDFS_USER));
    }

    private static List<Path> paths(String name, String raw) {
        List<Path> out = new ArrayList<>();
        for (String d : split(raw)) {
            Path p = Path.of(d);
            if (!p.isAbsolute()) throw new ConfigException(name + ": '" + d + "' must be an absolute path");
            out.add(p.normalize());
        }
        return out;
    }

    private static S3Fetcher.Options s3(Config c) {
        String access = c.get(FetchSettings.S3_ACCESS_KEY), secret = c.get(FetchSettings.S3_SECRET_KEY);
        if ((access == null) != (secret == null))
            throw new ConfigException("set both " + FetchSettings.S3_ACCESS_KEY.name() + " and "
                    + FetchSettings.S3_SECRET_KEY.name() + ", or neither (then the AWS default provider chain is used)");
        String endpoint = c.get(FetchSettings.S3_ENDPOINT);
        return new S3Fetcher.Options(c.get(FetchSettings.S3_REGION), endpoint == null ? null : java.net.URI.create(endpoint),
                c.get(FetchSettings.S3_PATH_STYLE), access, secret, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    private static List<String> split(String raw) {
        if (raw == null || raw.isBlank()) return List.of();
        return Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** The fetchers of this agent, one per scheme. */
    public List<Fetcher> fetchers() throws IOException {
        return List.of(new HdfsFetcher(hdfsConfDirs, hdfsUser),new HttpFetcher(new AddressPolicy(httpAllowedHosts), maxRedirects, Duration.ofSeconds(10),
                        Duration.ofSeconds(60)),
                new FileFetcher(fileAllowedDirs), new S3Fetcher(s3));
    }

    /** Opens the cache (under {@code workDir} unless {@code cacheDir} is set) and the stager over it. */
    public ArtifactStager stager(Path workDir) throws IOException {
        Path dir = cacheDir != null ? cacheDir : workDir.resolve("artifact-cache");
        Fetching fetching = new Fetching(new Fetching.Limits(maxMb << 20, stallTimeout, timeout, attempts,
                Duration.ofMillis(500), Duration.ofSeconds(10)));
        ArtifactCache cache = new ArtifactCache(dir, cacheMaxMb << 20, new FetcherRegistry(fetchers()), fetching);
        return new ArtifactStager(cache, new Extractor(new Extractor.Limits(extractMaxMb << 20, extractMaxEntries,
                extractMaxRatio)));
    }
}
