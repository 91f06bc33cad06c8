package io.nightshift.agent.fetch;

import io.nightshift.api.config.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The agent's settings for fetching, caching and unpacking artifacts; declared once, part of {@code AgentSettings.ALL}. */
public final class FetchSettings {
    private FetchSettings() {
    }

    public static final Setting<Path> CACHE_DIR = Setting.path("agent.fetch.cache-dir", null,
            "Directory of the artifact cache (kept across restarts); default artifact-cache inside agent.work-dir.");
    public static final Setting<Long> CACHE_MAX_MB = Setting.longValue("agent.fetch.cache-max-mb", 10_240L, 0, 1L << 40,
            "When the cached artifacts together exceed this many MiB, the least recently used are deleted.");
    public static final Setting<Long> MAX_MB = Setting.longValue("agent.fetch.max-mb", 10_240L, 1, 1L << 30,
            "Largest artifact fetched, in MiB; a bigger one fails the attempt with FETCH_FAILED.");
    public static final Setting<Duration> TIMEOUT = Setting.duration("agent.fetch.timeout", Duration.ofMinutes(30),
            Duration.ofSeconds(1), Duration.ofDays(1), "Longest one artifact's fetch may take, retries included.");
    public static final Setting<Duration> STALL_TIMEOUT = Setting.duration("agent.fetch.stall-timeout",
            Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofHours(1),
            "A download that receives no byte for this long is broken off and retried (resumed where the source allows).");
    public static final Setting<Integer> ATTEMPTS = Setting.integer("agent.fetch.attempts", 4, 1, 100,
            "Tries per artifact on transient errors (timeouts, 5xx, resets), with doubling back-off from 500 ms to 10 s.");
    public static final Setting<Integer> MAX_REDIRECTS = Setting.integer("agent.fetch.http.max-redirects", 5, 0, 20,
            "Redirects an http(s) fetch follows; each target is checked like the first URI.");
    public static final Setting<String> HTTP_ALLOWED_HOSTS = Setting.string("agent.fetch.http.allowed-hosts", "",
            "Hosts or addresses (comma-separated) http(s) fetches may reach even though they are link-local or "
                    + "cloud-metadata addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254), which are refused otherwise.");
    public static final Setting<String> FILE_ALLOWED_DIRS = Setting.string("agent.fetch.file.allowed-dirs", "",
            "Directories (comma-separated) that file:// artifacts may come from; empty refuses every file:// artifact.");
    public static final Setting<String> S3_REGION = Setting.string("agent.fetch.s3.region", "us-east-1",
            "[a-z0-9-]{1,64}", "AWS region of s3:// (and s3a://) artifacts.");
    public static final Setting<String> S3_ENDPOINT = Setting.string("agent.fetch.s3.endpoint", null,
            "(?i)https?://[^\\s/?#]+/?", "Endpoint of an S3-compatible store (MinIO, Ceph, S3Proxy) instead of AWS's.");
    public static final Setting<Boolean> S3_PATH_STYLE = Setting.bool("agent.fetch.s3.path-style", false,
            "Address buckets as endpoint/bucket/key rather than bucket.endpoint/key (most S3-compatible stores need it).");
    public static final Setting<String> S3_ACCESS_KEY = Setting.string("agent.fetch.s3.access-key", null,
            "Access key id for S3; when unset the AWS default provider chain is used (environment, profile, instance role).");
    public static final Setting<String> S3_SECRET_KEY = Setting.secret("agent.fetch.s3.secret-key",
            "Secret access key for S3, with agent.fetch.s3.access-key; never logged or shown.");
    public static final Setting<String> HDFS_CONF_DIRS = Setting.string("agent.fetch.hdfs.conf-dirs", "",
            "HDFS clusters for hdfs:// artifacts: directories (comma-separated) each with the cluster's core-site.xml "
                    + "(and hdfs-site.xml), whose fs.defaultFS names it; hdfs:///path goes to the first.");
    public static final Setting<String> HDFS_USER = Setting.string("agent.fetch.hdfs.user", null, "[A-Za-z0-9._-]{1,64}",
            "User that hdfs:// artifacts are read as (simple authentication); default the agent's own user.");
    public static final Setting<Long> EXTRACT_MAX_MB = Setting.longValue("agent.extract.max-mb", 4096L, 1, 1L << 30,
            "Most MiB one archive may unpack to.");
    public static final Setting<Integer> EXTRACT_MAX_ENTRIES = Setting.integer("agent.extract.max-entries", 100_000, 1,
            10_000_000, "Most entries one archive may hold.");
    public static final Setting<Integer> EXTRACT_MAX_RATIO = Setting.integer("agent.extract.max-ratio", 200, 1, 100_000,
            "Most times its own size an archive may unpack to (zip bombs).");

    public static final List<Setting<?>> ALL = List.of(CACHE_DIR, CACHE_MAX_MB, MAX_MB, TIMEOUT, STALL_TIMEOUT, ATTEMPTS,
            MAX_REDIRECTS, HTTP_ALLOWED_HOSTS, FILE_ALLOWED_DIRS, S3_REGION, S3_ENDPOINT, S3_PATH_STYLE, S3_ACCESS_KEY,
            S3_SECRET_KEY, HDFS_CONF_DIRS, HDFS_USER, EXTRACT_MAX_MB, EXTRACT_MAX_ENTRIES, EXTRACT_MAX_RATIO);
}
