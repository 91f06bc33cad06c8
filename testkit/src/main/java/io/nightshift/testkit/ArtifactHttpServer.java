package io.nightshift.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plain HTTP file server for artifacts in local mode, the demo and benchmarks: serves the regular
 * files under one directory (no listing, no links out of it) on 127.0.0.1 and a free port, with
 * {@code ETag} (length and modification time), {@code HEAD} and single {@code Range} requests; it can
 * be slowed down ({@link #throttle}) and tells which ranges were asked for.
 */
public final class ArtifactHttpServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "artifact-http");
        t.setDaemon(true);
        return t;
    });
    private final Path root;
    private final AtomicLong gets = new AtomicLong();
    private final java.util.List<Long> rangeStarts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile long bytesPerSecond;

    private ArtifactHttpServer(Path root) throws IOException {
        this.root = root.toRealPath();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    public static ArtifactHttpServer start(Path root) throws IOException {
        return new ArtifactHttpServer(root);
    }

    /** {@code http://127.0.0.1:<port>/<relative>} */
    public URI url(String relative) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + relative);
    }

    /**
     * Serves at most this many bytes per second per response from now on (0: as fast as it can), so
     * that tests can catch a download in the middle.
     */
    public ArtifactHttpServer throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        return this;
    }

    /** The start offsets of the {@code Range} GETs served so far, in order. */
    public java.util.List<Long> rangeStarts() {
        return java.util.List.copyOf(rangeStarts);
    }

    /** GET requests served so far. */
    public long gets() {
        return gets.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Path f = root.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
            boolean head = ex.getRequestMethod().equals("HEAD");
            if (!f.startsWith(root) || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
                    || !(head || ex.getRequestMethod().equals("GET"))) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            long size = Files.size(f);
            ex.getResponseHeaders().add("ETag", "\"" + size + "-" + Files.getLastModifiedTime(f).toMillis() + "\"");
            ex.getResponseHeaders().add("Accept-Ranges", "bytes");
            long from = 0;
            Matcher m = RANGE.matcher(String.valueOf(ex.getRequestHeaders().getFirst("Range")));
            if (m.matches()) from = Long.parseLong(m.group(1));
            if (from >= size && from > 0) {
                ex.getResponseHeaders().add("Content-Range", "bytes */" + size);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            if (from > 0) ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (size - 1) + "/" + size);
            if (head) {
                ex.getResponseHeaders().add("Content-Length", Long.toString(size));
                ex.sendResponseHeaders(200, -1);
                return;
            }
            gets.incrementAndGet();
            if (from > 0) rangeStarts.add(from);
            ex.sendResponseHeaders(from > 0 ? 206 : 200, size - from);
            try (InputStream in = Files.newInputStream(f); OutputStream out = ex.getResponseBody()) {
                in.skipNBytes(from);
                long rate = bytesPerSecond;
                if (rate <= 0) {
                    in.transferTo(out);
                } else {
                    byte[] buf = new byte[(int) Math.max(1024, Math.min(64 * 1024, rate / 10))];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        out.write(buf, 0, n);
                        out.flush();
                        try {
                            Thread.sleep(n * 1000L / rate);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
