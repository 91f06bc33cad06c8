package io.nightshift.connectors;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP/1.1 server on 127.0.0.1 and a free port that serves byte arrays and can misbehave on
 * purpose, per path, for the first {@code n} GETs: answer a status, drop the connection after some
 * bytes, declare a longer body than it sends, stall. Supports {@code Range} unless told not to.
 * One thread per connection, {@code Connection: close}.
 */
public final class TestHttpServer implements AutoCloseable {
    public enum Trouble { NONE, STATUS, DROP_AFTER, LIE_LENGTH, STALL }

    /** What a path serves. */
    public static final class Route {
        final byte[] body;
        volatile String etag;
        volatile boolean ranges = true;
        volatile Trouble trouble = Trouble.NONE;
        volatile int troubleTimes, status, afterBytes;
        volatile String redirectTo;
        final AtomicInteger gets = new AtomicInteger(), heads = new AtomicInteger(), ranged = new AtomicInteger();
        volatile long delayMillis;

        Route(byte[] body) {
            this.body = body;
        }

        public Route etag(String v) { etag = v; return this; }
        public Route noRanges() { ranges = false; return this; }
        public Route status(int code, int times) { trouble = Trouble.STATUS; status = code; troubleTimes = times; return this; }
        public Route dropAfter(int bytes, int times) { trouble = Trouble.DROP_AFTER; afterBytes = bytes; troubleTimes = times; return this; }
        public Route lieAboutLength(int times) { trouble = Trouble.LIE_LENGTH; troubleTimes = times; return this; }
        public Route stall(int afterBytes, int times) { trouble = Trouble.STALL; this.afterBytes = afterBytes; troubleTimes = times; return this; }
        public Route redirect(String location) { redirectTo = location; return this; }
        public Route delay(long millis) { delayMillis = millis; return this; }
        public int gets() { return gets.get(); }
        public int heads() { return heads.get(); }
        /** GETs answered with 206 (a resumed download). */
        public int rangedGets() { return ranged.get(); }
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");
    private final ServerSocket socket;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Thread acceptor;
    private volatile boolean closed;

    public TestHttpServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "test-http-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public Route serve(String path, byte[] body) {
        Route r = new Route(body);
        routes.put(path, r);
        return r;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + socket.getLocalPort() + path;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = socket.accept();
                Thread t = new Thread(() -> handle(s), "test-http-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            String line = in.readLine();
            if (line == null) return;
            String[] parts = line.split(" ");
            Map<String, String> headers = new HashMap<>();
            String h;
            while ((h = in.readLine()) != null && !h.isEmpty()) {
                int c = h.indexOf(':');
                if (c > 0) headers.put(h.substring(0, c).trim().toLowerCase(Locale.ROOT), h.substring(c + 1).trim());
            }
            OutputStream out = s.getOutputStream();
            Route r = routes.get(parts[1]);
            if (r == null) {
                out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            boolean head = parts[0].equals("HEAD");
            if (head) r.heads.incrementAndGet();
            if (r.redirectTo != null) {
                out.write(("HTTP/1.1 302 Found\r\nLocation: " + r.redirectTo + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            int n = head ? 0 : r.gets.incrementAndGet();
            if (r.delayMillis > 0 && !head) Thread.sleep(r.delayMillis);
            boolean trouble = !head && r.trouble != Trouble.NONE && n <= r.troubleTimes;
            if (trouble && r.trouble == Trouble.STATUS) {
                out.write(("HTTP/1.1 " + r.status + " Trouble\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            int from = 0;
            Matcher m = RANGE.matcher(headers.getOrDefault("range", ""));
            boolean partial = r.ranges && m.matches();
            if (partial) from = Integer.parseInt(m.group(1));
            if (partial && from >= r.body.length) {
                out.write(("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + r.body.length
                        + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                return;
            }
            if (partial && !head) r.ranged.incrementAndGet();
            int length = r.body.length - from;
            StringBuilder resp = new StringBuilder(partial ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n");
            int declared = trouble && r.trouble == Trouble.LIE_LENGTH ? length + 1000 : length;
            resp.append("Content-Length: ").append(declared).append("\r\n");
            if (partial) resp.append("Content-Range: bytes ").append(from).append('-').append(r.body.length - 1).append('/')
                    .append(r.body.length).append("\r\n");
            if (r.ranges) resp.append("Accept-Ranges: bytes\r\n");
            if (r.etag != null) resp.append("ETag: \"").append(r.etag).append("\"\r\n");
            resp.append("Connection: close\r\n\r\n");
            out.write(resp.toString().getBytes(StandardCharsets.US_ASCII));
            if (head) return;
            int send = length;
            if (trouble && (r.trouble == Trouble.DROP_AFTER || r.trouble == Trouble.STALL)) send = Math.min(length, r.afterBytes);
            out.write(r.body, from, send);
            out.flush();
            if (trouble && r.trouble == Trouble.STALL) Thread.sleep(60_000);
            // DROP_AFTER and LIE_LENGTH: close now, before the declared length was sent
        } catch (IOException | InterruptedException e) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
    }
}
