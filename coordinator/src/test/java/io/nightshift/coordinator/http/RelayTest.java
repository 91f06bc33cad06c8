package io.nightshift.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpApi#relay}, which copies an agent's log (or the leader's answer) to our client: a client that goes away
 * in the middle of a follow stops the copy quietly (no "Response has already been written" from a write to the closed
 * response), and the upstream answer is copied whole otherwise. Real Vert.x servers and clients on 127.0.0.1.
 */
class RelayTest {

    private Vertx vertx;
    private final List<Throwable> unhandled = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        vertx.exceptionHandler(unhandled::add);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    /** An upstream that answers {@code chunks} chunks of 64 KiB (forever when negative), and the proxy in front of it. */
    private int proxy(int chunks, AtomicBoolean upstreamClosed) throws Exception {
        Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
        HttpServer upstream = vertx.createHttpServer().requestHandler(req -> {
            HttpServerResponse r = req.response().setChunked(true);
            r.closeHandler(v -> upstreamClosed.set(true));
            AtomicLong sent = new AtomicLong();
            vertx.setPeriodic(1, id -> {
                if (r.closed() || r.ended()) {
                    vertx.cancelTimer(id);
                } else if (chunks >= 0 && sent.get() == chunks) {
                    r.end();
                    vertx.cancelTimer(id);
                } else if (!r.writeQueueFull()) {
                    r.write(chunk);
                    sent.incrementAndGet();
                }
            });
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        HttpClient client = vertx.createHttpClient(new HttpClientOptions());
        HttpServer proxy = vertx.createHttpServer().requestHandler(req -> client
                .request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(upstream.actualPort())
                        .setURI("/log"))
                .compose(out -> out.send())
                .onSuccess(resp -> {
                    req.response().closeHandler(v -> resp.request().reset());
                    req.response().setChunked(true);
                    HttpApi.relay(resp, req.response());
                })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        return proxy.actualPort();
    }

    @Test
    void aClientThatGoesAwayMidFollowStopsTheCopyQuietly() throws Exception {
        AtomicBoolean upstreamClosed = new AtomicBoolean();
        int port = proxy(-1, upstreamClosed);
        NetClient net = vertx.createNetClient();
        NetSocket socket = net.connect(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
        AtomicLong received = new AtomicLong();
        socket.handler(b -> received.addAndGet(b.length()));
        socket.write("GET /follow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> received.get() > 256 * 1024);
        socket.close().await(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(10)).untilTrue(upstreamClosed);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(unhandled::isEmpty);
        assertThat(unhandled).isEmpty();
    }

    @Test
    void aWholeAnswerIsCopiedAndEnded() throws Exception {
        int port = proxy(40, new AtomicBoolean());
        HttpClient client = vertx.createHttpClient();
        Buffer body = client.request(HttpMethod.GET, port, "127.0.0.1", "/logs")
                .compose(req -> req.send().compose(resp -> resp.body()))
                .await(20, TimeUnit.SECONDS);
        assertThat(body.length()).isEqualTo(40 * 64 * 1024);
        assertThat(unhandled).isEmpty();
    }
}
