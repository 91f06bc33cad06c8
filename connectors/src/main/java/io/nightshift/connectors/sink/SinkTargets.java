package io.nightshift.connectors.sink;

import io.nightshift.api.spec.KafkaSpec;
import io.nightshift.connectors.fetch.HdfsClusters;
import io.nightshift.connectors.fetch.S3Fetcher;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens the Kafka sink's target from its {@code path} and the store settings the agent hands the task in its
 * environment: the agent's own HDFS clusters and S3 store (and credentials), never anything from the spec. The
 * agent adds only what the sink's scheme needs ({@link #environment}); the task reads it back ({@link #open}).
 */
public final class SinkTargets {
    public static final String HDFS_CONF_DIRS = "NIGHTSHIFT_SINK_HDFS_CONF_DIRS";
    public static final String HDFS_USER = "NIGHTSHIFT_SINK_HDFS_USER";
    public static final String S3_REGION = "NIGHTSHIFT_SINK_S3_REGION";
    public static final String S3_ENDPOINT = "NIGHTSHIFT_SINK_S3_ENDPOINT";
    public static final String S3_PATH_STYLE = "NIGHTSHIFT_SINK_S3_PATH_STYLE";
    public static final String S3_ACCESS_KEY = "NIGHTSHIFT_SINK_S3_ACCESS_KEY";
    public static final String S3_SECRET_KEY = "NIGHTSHIFT_SINK_S3_SECRET_KEY";

    private SinkTargets() {
    }

    /** The environment a task whose sink is {@code sink} needs from the agent's store settings. Pure. */
    public static Map<String, String> environment(KafkaSpec.SinkSpec sink, S3Fetcher.Options s3, List<Path> hdfsConfDirs,
                                                  String hdfsUser) {
        Map<String, String> env = new LinkedHashMap<>();
        if (sink == null) return env;
        switch (sink.scheme()) {
            case HDFS -> {
                env.put(HDFS_CONF_DIRS, String.join(",", hdfsConfDirs.stream().map(Path::toString).toList()));
                if (hdfsUser != null) env.put(HDFS_USER, hdfsUser);
            }
            case S3 -> {
                env.put(S3_REGION, s3.region());
                if (s3.endpoint() != null) env.put(S3_ENDPOINT, s3.endpoint().toString());
                env.put(S3_PATH_STYLE, String.valueOf(s3.pathStyle()));
                if (s3.accessKey() != null && s3.secretKey() != null) {
                    env.put(S3_ACCESS_KEY, s3.accessKey());
                    env.put(S3_SECRET_KEY, s3.secretKey());
                }
            }
            case LOCAL -> {
            }
        }
        return env;
    }

    /** The target of {@code sink}; remote targets stage their files under {@code staging} (a local directory). */
    public static SinkTarget open(KafkaSpec.SinkSpec sink, Path staging, Map<String, String> env) throws IOException {
        return switch (sink.scheme()) {
            case LOCAL -> new LocalSinkTarget(Path.of(sink.path()));
            case HDFS -> {
                List<Path> dirs = new ArrayList<>();
                String raw = env.getOrDefault(HDFS_CONF_DIRS, "");
                for (String d : raw.split(",")) if (!d.isBlank()) dirs.add(Path.of(d.trim()));
                yield new HdfsSinkTarget(URI.create(sink.path()), staging, new HdfsClusters(dirs, env.get(HDFS_USER)));
            }
            case S3 -> {
                String endpoint = env.get(S3_ENDPOINT);
                S3Fetcher.Options o = new S3Fetcher.Options(env.getOrDefault(S3_REGION, "us-east-1"),
                        endpoint == null ? null : URI.create(endpoint), Boolean.parseBoolean(env.get(S3_PATH_STYLE)),
                        env.get(S3_ACCESS_KEY), env.get(S3_SECRET_KEY), Duration.ofSeconds(10), Duration.ofSeconds(60));
                yield new S3SinkTarget(URI.create(sink.path()), staging, o);
            }
        };
    }
}
