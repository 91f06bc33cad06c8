package io.nightshift.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nightshift.coordinator.auth.Principal;
import io.nightshift.coordinator.events.EventLog;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/events} through a real Vert.x server on 127.0.0.1 and raw sockets: a paged replay joins the live
 * fan-out with every event once and in order; all streams of a loop share one event-log subscription; a client that
 * never reads is cut with an {@code end} event and the others go on.
 */
class SseHandlerTest {
    static final Instant T = Instant.parse("2026-12-02T00:00:00Z");
    private Vertx vertx;
    private WorkerExecutor workers;
    private SseHandler handler;
    private final EventLog log = new EventLog(10_000, 0);
    private int port;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        workers = vertx.createSharedWorkerExecutor("test-replay", 2);
        handler = new SseHandler(log, new StreamLimits("event streams", 100, 100), null, workers);
        Router r = Router.router(vertx);
        r.get("/v1/events").handler(ctx -> {
            ctx.put(Guard.PRINCIPAL, Principal.INSECURE);
            ctx.next();
        }).handler(handler);
        HttpServer server = vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        port = server.actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket s : sockets) s.close();
        handler.close();
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    void publish(int n) {
        for (int i = 0; i < n; i++) log.publish(T, "job", "job-" + i, "job-" + i, null, null, "QUEUED", "padding ".repeat(8), null);
    }

    Socket open(String query, String lastEventId, int receiveBuffer) throws Exception {
        Socket s = new Socket();
        if (receiveBuffer > 0) s.setReceiveBufferSize(receiveBuffer);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        sockets.add(s);
        s.getOutputStream().write(("GET /v1/events" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    /** Reads SSE lines until {@code lastId} arrived (or an end event); returns the ids seen, in order. */
    static List<Long> readUntil(Socket s, long lastId, boolean[] ended) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        Pattern id = Pattern.compile("^id: (\\d+)$");
        List<Long> ids = new ArrayList<>();
        s.setSoTimeout(30_000);
        for (String l; (l = in.readLine()) != null; ) {
            Matcher m = id.matcher(l.trim());
            if (m.find()) {
                ids.add(Long.parseLong(m.group(1)));
                if (ids.get(ids.size() - 1) == lastId) return ids;
            }
            if (l.startsWith("event: end")) {
                ended[0] = true;
                return ids;
            }
        }
        return ids;
    }

    static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) out.add(i);
        return out;
    }

    @Test
    void replaysOfSeveralPagesThenLiveEventsEachOnceInOrderAndTheLoopsStreamsShareOneSubscription() throws Exception {
        publish(SseHandler.PAGE * 2 + 200); // 1..1200: three replay pages
        Socket fromStart = open("?from=0", null, 0);
        Socket resumed = open("", "1100", 0);
        Socket live = open("", null, 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> handler.liveStreams() == 3);
        assertThat(log.subscribers()).as("one subscription per event loop, not one per stream").isEqualTo(handler.loops());
        publish(50); // 1201..1250, live
        boolean[] ended = {false};
        assertThat(readUntil(fromStart, 1250, ended)).isEqualTo(range(1, 1250));
        assertThat(readUntil(resumed, 1250, ended)).isEqualTo(range(1101, 1250));
        assertThat(readUntil(live, 1250, ended)).isEqualTo(range(1201, 1250));
        assertThat(ended[0]).isFalse();
    }

    @Test
    void aClientThatNeverReadsIsCutWithAnEndEventWhileAReaderGetsEverything() throws Exception {
        Socket stuck = open("", null, 4096);
        Socket reader = open("", null, 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> handler.liveStreams() == 2);
        long published = 0;
        List<Long> got = new ArrayList<>();
        boolean[] ended = {false};
        while (handler.liveStreams() == 2 && published < 200_000) { // until the stuck one fills its buffers and is cut
            publish(500);
            published += 500;
            got.addAll(readUntil(reader, published, ended));
        }
        assertThat(handler.liveStreams()).as("the stuck stream was cut, the reader stays").isEqualTo(1);
        publish(10);
        got.addAll(readUntil(reader, published + 10, ended));
        assertThat(got).isEqualTo(range(1, published + 10));
        assertThat(ended[0]).isFalse();
        boolean[] stuckEnded = {false};
        List<Long> stuckIds = readUntil(stuck, Long.MAX_VALUE, stuckEnded); // now it reads: what it was sent, then the end
        assertThat(stuckEnded[0]).as("an end event telling it to reconnect").isTrue();
        assertThat(stuckIds).isNotEmpty().isEqualTo(range(1, stuckIds.get(stuckIds.size() - 1)));
    }
}
