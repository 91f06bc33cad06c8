package io.nightshift.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.nightshift.agent.TestSupport.Report;
import io.nightshift.agent.fetch.FetchConfig;
import io.nightshift.api.protocol.CoordinatorMessage.Launch;
import io.nightshift.api.spec.ArtifactSpec;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import io.nightshift.connectors.stage.ArtifactStager;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's fetch step with real processes, a real HTTP server and the real cache. */
class AttemptFetchIT {
    static final Duration T = Duration.ofSeconds(30);

    @TempDir Path work;
    @TempDir Path shared;
    HttpServer http;
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> gets = new ConcurrentHashMap<>();
    final CountDownLatch release = new CountDownLatch(1);
    /** Requests for /slow/ paths that reached the server and are held there until {@link #release}. */
    final AtomicInteger held = new AtomicInteger();
    AttemptsHarness h;
    ArtifactStager stager;

    @BeforeEach
    void start() throws Exception {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            byte[] body = files.get(path);
            if (path.startsWith("/slow/")) {
                held.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                if (ex.getRequestMethod().equals("GET")) gets.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
                ex.getResponseHeaders().add("ETag", "\"" + sha(body) + "\"");
                ex.sendResponseHeaders(200, ex.getRequestMethod().equals("HEAD") ? -1 : body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    if (ex.getRequestMethod().equals("GET")) out.write(body);
                }
            }
            ex.close();
        });
        http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        http.start();
        FetchConfig fc = new FetchConfig(null, 64, 64, Duration.ofSeconds(20), Duration.ofSeconds(5), 2, 3, Set.of(),
                List.of(shared), 64, 1000, 200, null, List.of(), null);
        stager = fc.stager(work);
        h = new AttemptsHarness(work, true, stager);
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        h.close();
        http.stop(0);
    }

    @AfterAll
    static void safetyNet() {
        TestSupport.killLeftovers();
    }

    String url(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] tgz(String name, String content, int mode) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream z = new GzipCompressorOutputStream(bytes); TarArchiveOutputStream t = new TarArchiveOutputStream(z)) {
            byte[] b = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setMode(0100000 | mode);
            e.setSize(b.length);
            t.putArchiveEntry(e);
            t.write(b);
            t.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    @Test
    void artifactsAreInTheSandboxBeforeTheTaskStarts() throws Exception {
        byte[] script = "#!/bin/sh\ncat data/input.txt\n./tools/bin/greet\n".getBytes();
        files.put("/run.sh", script);
        files.put("/input.txt", "hello from http\n".getBytes());
        files.put("/tools.tgz", tgz("bin/greet", "#!/bin/sh\necho greetings from the archive\n", 0755));
        Files.writeString(shared.resolve("local.txt"), "a local file\n");
        JobSpec spec = JobSpec.shell("./run.sh && cat local.txt").id("fetches")
                .artifact(ArtifactSpec.of(url("/run.sh")).withExecutable(true).withSha256(sha(script)))
                .artifact(ArtifactSpec.of(url("/input.txt")).withDestination("data/input.txt"))
                .artifact(url("/tools.tgz"))
                .artifact(shared.resolve("local.txt").toUri().toString())
                .build();
        Launch l = TestSupport.launch(spec);
        Report end = h.run(l, T);
        assertThat(end.state()).as(end.message()).isEqualTo(TaskState.FINISHED);
        assertThat(h.sink.states(l.attemptId()).stream().distinct()).containsExactly(TaskState.STAGING, TaskState.FETCHING,
                TaskState.RUNNING, TaskState.FINISHED);
        assertThat(Files.readString(h.sandboxes.resolve(l.attemptId()).resolve("stdout")))
                .isEqualTo("hello from http\ngreetings from the archive\na local file\n");
        List<Report> fetching = h.sink.reports.stream().filter(r -> r.attemptId().equals(l.attemptId()) && r.fetch() != null).toList();
        assertThat(fetching.get(0).fetch().artifacts()).extracting(a -> a.state()).containsOnly("waiting");
        var last = fetching.get(fetching.size() - 1).fetch();
        assertThat(last.artifacts()).extracting(a -> a.target()).containsExactly("run.sh", "data/input.txt", "tools", "local.txt");
        assertThat(last.artifacts()).extracting(a -> a.state()).containsOnly("done");
        assertThat(last.artifacts().get(0).bytesDone()).isEqualTo(script.length);
        assertThat(last.bytesDone()).isEqualTo(last.bytesTotal()).isEqualTo(script.length + 16 + files.get("/tools.tgz").length + 13);
    }

    @Test
    void aWrongChecksumFailsTheAttemptWithFetchFailedAndStartsNothing() throws Exception {
        files.put("/app.jar", "jar".getBytes());
        Launch l = TestSupport.launch(JobSpec.shell("touch started").id("badsum")
                .artifact(ArtifactSpec.of(url("/app.jar?token=hunter2")).withSha256("ab".repeat(32))).build());
        Report end = h.run(l, T);
        assertThat(end.state()).isEqualTo(TaskState.FAILED);
        assertThat(end.reason()).isEqualTo(Reason.FETCH_FAILED);
        assertThat(end.message()).contains("/app.jar?token=***").contains("checksum mismatch").doesNotContain("hunter2");
        assertThat(h.sandboxes.resolve(l.attemptId()).resolve("started")).doesNotExist();
        assertThat(h.sink.states(l.attemptId())).doesNotContain(TaskState.RUNNING);
    }

    @Test
    void aHostileArchiveIsRefusedAndNothingLandsOutsideTheSandbox() throws Exception {
        files.put("/evil.tgz", tgz("../../escaped.txt", "gotcha", 0644));
        Launch l = TestSupport.launch(JobSpec.shell("true").id("evil").artifact(url("/evil.tgz")).build());
        Report end = h.run(l, T);
        assertThat(end.reason()).isEqualTo(Reason.FETCH_FAILED);
        assertThat(end.message()).contains("refused archive").contains("'..'");
        try (Stream<Path> all = Files.walk(work)) {
            assertThat(all.filter(p -> p.getFileName().toString().equals("escaped.txt"))).isEmpty();
        }
        assertThat(h.sandboxes.resolve(l.attemptId()).resolve("evil")).doesNotExist();
    }

    @Test
    void aFileOutsideTheAllowListedDirectoriesIsRefused() throws Exception {
        Path secret = Files.writeString(work.resolve("secret.txt"), "no");
        Report end = h.run(TestSupport.launch(JobSpec.shell("true").id("nofile")
                .artifact(secret.toUri().toString()).build()), T);
        assertThat(end.reason()).isEqualTo(Reason.FETCH_FAILED);
        assertThat(end.message()).contains("not under a directory the agent allow-lists");
    }

    @Test
    void tenTasksWithOneArtifactCauseOneDownload() throws Exception {
        files.put("/slow/shared.jar", new byte[100_000]);
        List<Launch> launches = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            launches.add(TestSupport.launch(JobSpec.shell("test -s shared.jar").id("ten" + i)
                    .artifact(url("/slow/shared.jar")).build()));
        }
        launches.forEach(h.attempts::launch);
        // all ten are fetching (or waiting on the one download) before the server answers
        await().atMost(T).until(() -> launches.stream().allMatch(l -> h.sink.states(l.attemptId()).contains(TaskState.FETCHING)));
        release.countDown();
        for (Launch l : launches) assertThat(h.awaitTerminal(l.attemptId(), T).state()).isEqualTo(TaskState.FINISHED);
        assertThat(gets.get("/slow/shared.jar").get()).isEqualTo(1);
        assertThat(stager.cache().metrics().total().misses()).isEqualTo(1);
    }

    @Test
    void aKillWhileFetchingEndsTheAttemptKilled() throws Exception {
        files.put("/slow/big.bin", new byte[10]);
        Launch l = TestSupport.launch(JobSpec.shell("true").id("killfetch").artifact(url("/slow/big.bin")).build());
        h.attempts.launch(l);
        await().atMost(T).until(() -> h.sink.states(l.attemptId()).contains(TaskState.FETCHING));
        await().atMost(T).until(() -> held.get() >= 1); // the request reached the server, which holds it
        h.attempts.kill(l.attemptId(), Duration.ZERO, Reason.KILLED_BY_USER);
        Report end = h.awaitTerminal(l.attemptId(), T);
        assertThat(end.state()).isEqualTo(TaskState.KILLED);
        assertThat(end.reason()).isEqualTo(Reason.KILLED_BY_USER);
    }
}
