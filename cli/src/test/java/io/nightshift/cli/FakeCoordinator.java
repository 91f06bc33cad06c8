package io.nightshift.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A few canned answers on 127.0.0.1, port 0, for the CLI's request/exit-code logic. The real
 * coordinator is exercised by CliIT.
 */
final class FakeCoordinator implements AutoCloseable {
    interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    FakeCoordinator() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    FakeCoordinator route(String path, Handler h) {
        server.createContext(path, ex -> {
            try (ex) {
                requests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
                bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                h.handle(ex);
            }
        });
        return this;
    }

    static void reply(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
