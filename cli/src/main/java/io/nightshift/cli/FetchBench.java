package io.nightshift.cli;

import io.nightshift.agent.fetch.FetchConfig;
import io.nightshift.api.spec.ArtifactSpec;
import io.nightshift.connectors.fetch.S3Fetcher;
import io.nightshift.connectors.stage.ArtifactStager;
import io.nightshift.testkit.ArtifactHttpServer;
import io.nightshift.testkit.HdfsServer;
import io.nightshift.testkit.S3Server;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code nightshift bench --fetch MB}: one artifact of MB MiB (random bytes) served by the local HTTP
 * artifact server; in the same run: {@code curl} fetching it into a file (the baseline), the agent's
 * cold fetch (download, SHA-256, into the cache, hard link into a sandbox) and its ratio to curl, the
 * warm-cache time into a new sandbox (median of 20, with the sha256 given and without it, which costs
 * a HEAD), and cold fetches from S3 (S3Proxy) and HDFS (the mini-cluster), each in a process of its own.
 * Every cold figure is the best of 3 tries on an empty cache.
 */
final class FetchBench {
    private final int mb;
    private final Path dir;
    private final PrintWriter err;
    private final boolean withServers;

    FetchBench(int mb, Path dir, PrintWriter err, boolean withServers) {
        this.mb = mb;
        this.dir = dir;
        this.err = err;
        this.withServers = withServers;
    }

    /** Lines of the report. */
    List<String> run() throws Exception {
        List<String> out = new ArrayList<>() {
            @Override
            public boolean add(String line) {
                err.println(line); // as it comes: a later server failing does not hide it
                err.flush();
                return super.add(line);
            }
        };
        Path served = Files.createDirectories(dir.resolve("served"));
        Path file = served.resolve("artifact.bin");
        String sha = write(file, (long) mb << 20);
        double size = mb;
        try (ArtifactHttpServer http = ArtifactHttpServer.start(served)) {
            String url = http.url("artifact.bin").toString();
            long curl = best(3, () -> curl(url, dir.resolve("curl.out")));
            double curlMbs = size / (curl / 1e9);
            out.add("artifact: %d MiB over HTTP on 127.0.0.1".formatted(mb));
            out.add("curl cold fetch:            %7.0f ms  %7.1f MiB/s  (baseline)".formatted(curl / 1e6, curlMbs));
            long cold = best(3, () -> cold(ArtifactSpec.of(url).withSha256(sha), FetchConfig.DEFAULTS));
            double coldMbs = size / (cold / 1e9);
            out.add("nightshift cold fetch:      %7.0f ms  %7.1f MiB/s  ratio %.2f to curl (target >= 0.70)"
                    .formatted(cold / 1e6, coldMbs, coldMbs / curlMbs));
            ArtifactStager stager = FetchConfig.DEFAULTS.stager(dir.resolve("warm"));
            stager.stage(List.of(ArtifactSpec.of(url).withSha256(sha)), Files.createDirectories(dir.resolve("warm-0")),
                    ArtifactStager.Progress.NONE);
            long warmSha = median(20, i -> stage(stager, ArtifactSpec.of(url).withSha256(sha), dir.resolve("warm-s" + i)));
            long warmHead = median(20, i -> stage(stager, ArtifactSpec.of(url), dir.resolve("warm-h" + i)));
            out.add("warm cache into a new sandbox: %.1f ms with sha256 given, %.1f ms without (one HEAD) (target <= 20 ms)"
                    .formatted(warmSha / 1e6, warmHead / 1e6));
            if (withServers) {
                try (S3Server s3 = S3Server.start(dir.resolve("s3"))) {
                    s3.createBucket("bench");
                    s3.put("bench", "artifact.bin", file);
                    FetchConfig c = FetchConfig.DEFAULTS.withS3(new S3Fetcher.Options(S3Server.REGION, s3.endpoint(), true,
                            S3Server.ACCESS_KEY, S3Server.SECRET_KEY, Duration.ofSeconds(10), Duration.ofSeconds(60)));
                    long t = best(3, () -> cold(ArtifactSpec.of("s3://bench/artifact.bin").withSha256(sha), c));
                    out.add("S3 (S3Proxy) cold fetch:    %7.0f ms  %7.1f MiB/s  ratio %.2f to curl over HTTP"
                            .formatted(t / 1e6, size / (t / 1e9), size / (t / 1e9) / curlMbs));
                }
                try (HdfsServer hdfs = HdfsServer.start(dir.resolve("hdfs"))) {
                    hdfs.put("/bench/artifact.bin", file);
                    FetchConfig c = FetchConfig.DEFAULTS.withHdfs(List.of(hdfs.confDir()), null);
                    long t = best(3, () -> cold(ArtifactSpec.of("hdfs:///bench/artifact.bin").withSha256(sha), c));
                    out.add("HDFS (mini-cluster) cold:   %7.0f ms  %7.1f MiB/s  ratio %.2f to curl over HTTP"
                            .formatted(t / 1e6, size / (t / 1e9), size / (t / 1e9) / curlMbs));
                }
            }
        }
        return out;
    }

    interface Timed {
        long nanos() throws Exception;
    }

    interface Indexed {
        long nanos(int i) throws Exception;
    }

    private long best(int n, Timed t) throws Exception {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) best = Math.min(best, t.nanos());
        return best;
    }

    private long median(int n, Indexed t) throws Exception {
        List<Long> all = new ArrayList<>();
        for (int i = 0; i < n; i++) all.add(t.nanos(i));
        Collections.sort(all);
        return all.get(n / 2);
    }

    private int coldRuns;

    /** An empty cache, one stage into a new sandbox. */
    private long cold(ArtifactSpec a, FetchConfig c) throws Exception {
        Path work = dir.resolve("cold-" + (++coldRuns));
        ArtifactStager stager = c.stager(work);
        long t = stage(stager, a, work.resolve("sandbox"));
        err.println("  cold fetch " + coldRuns + " of " + a.uri() + ": " + t / 1_000_000 + " ms");
        err.flush();
        io.nightshift.connectors.extract.Extractor.deleteTree(work);
        return t;
    }

    private static long stage(ArtifactStager stager, ArtifactSpec a, Path sandbox) throws Exception {
        Files.createDirectories(sandbox);
        long t0 = System.nanoTime();
        stager.stage(List.of(a), sandbox, ArtifactStager.Progress.NONE);
        return System.nanoTime() - t0;
    }

    private static long curl(String url, Path out) throws Exception {
        Files.deleteIfExists(out);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("curl", "-sSf", "-o", out.toString(), url).inheritIO().start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) throw new IOException("curl failed");
        long t = System.nanoTime() - t0;
        Files.delete(out);
        return t;
    }

    /** Writes {@code bytes} pseudo-random bytes (incompressible); returns their sha256. */
    private static String write(Path file, long bytes) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        Random r = new Random(42);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= buf.length) {
                r.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                md.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
