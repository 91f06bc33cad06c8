package io.nightshift.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.model.Event;
import io.nightshift.coordinator.events.EventLog;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SseFanoutTest {
    static final Instant T = Instant.parse("2026-12-02T00:00:00Z");

    /** The loop: tasks run only when the test says so. */
    final Queue<Runnable> loop = new ArrayDeque<>();
    final EventLog log = new EventLog(1000, 0);
    final SseFrames frames = new SseFrames();
    final java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();

    void runLoop() {
        for (Runnable r; (r = loop.poll()) != null; ) r.run();
    }

    void publish(int n) {
        for (int i = 0; i < n; i++) log.publish(T, "job", "j" + i, "j" + i, null, null, "QUEUED", null, null);
    }

    static class Sink implements SseFanout.Sink {
        final List<Buffer> writes = new ArrayList<>();
        boolean full;
        boolean fullAfterWrite;
        int cuts;

        @Override
        public boolean writeQueueFull() {
            return full;
        }

        @Override
        public void write(Buffer bytes) {
            writes.add(bytes);
            if (fullAfterWrite) full = true;
        }

        @Override
        public void cut() {
            cuts++;
        }

        List<Long> ids() {
            List<Long> out = new ArrayList<>();
            for (Buffer b : writes) {
                Matcher m = Pattern.compile("(?m)^id: (\\d+)$").matcher(b.toString());
                while (m.find()) out.add(Long.parseLong(m.group(1)));
            }
            return out;
        }
    }

    @Test
    void oneSubscriptionForTheLoopAndEachBatchFormattedOnceIntoOneBufferSharedByEveryStream() {
        SseFanout fanout = new SseFanout(log, null, frames, loop::add, (ms, r) -> loop.add(r), clock::get);
        List<Sink> sinks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Sink s = new Sink();
            assertThat(fanout.join(s, 0, false)).isNotNull();
            sinks.add(s);
        }
        assertThat(log.subscribers()).as("one event-log subscription for all 100 streams").isEqualTo(1);
        publish(3);
        assertThat(loop).as("the loop is woken once for the batch, not once per stream or per event").hasSize(1);
        runLoop();
        Buffer shared = sinks.get(0).writes.get(0);
        for (Sink s : sinks) {
            assertThat(s.writes).hasSize(1);
            assertThat(s.writes.get(0)).as("the same buffer, not a copy per stream").isSameAs(shared);
            assertThat(s.ids()).containsExactly(1L, 2L, 3L);
        }
        assertThat(shared.toString()).startsWith("id: 1\nevent: job\ndata: {");
        assertThat(fanout.fannedOut()).isEqualTo(3);
    }

    @Test
    void aKeepAliveGoesOutASliceOfStreamsPerLoopTaskAndNotWhileABatchDoes() {
        SseFanout fanout = new SseFanout(log, null, frames, loop::add, (ms, r) -> loop.add(r), clock::get);
        List<Sink> sinks = new ArrayList<>();
        for (int i = 0; i < SseFanout.SLICE * 2 + 10; i++) {
            Sink s = new Sink();
            fanout.join(s, 0, false);
            sinks.add(s);
        }
        fanout.keepAlive();
        assertThat(sinks.stream().filter(s -> !s.writes.isEmpty())).as("the first slice, then the loop serves others").hasSize(SseFanout.SLICE);
        fanout.keepAlive(); // the timer again while the first is still going out: nothing twice
        sinks.get(SseFanout.SLICE * 2 + 5).full = true;
        runLoop();
        for (int i = 0; i < sinks.size(); i++) {
            if (i == SseFanout.SLICE * 2 + 5) assertThat(sinks.get(i).cuts).isEqualTo(1);
            else assertThat(sinks.get(i).writes).containsExactly(SseFanout.KEEP_ALIVE);
        }
        assertThat(fanout.members()).isEqualTo(SseFanout.SLICE * 2 + 9);
        publish(1);
        loop.poll().run(); // the drain writes the first slice of the batch
        fanout.keepAlive(); // mid-pass: the batch is traffic enough
        runLoop();
        for (Sink s : sinks) if (s.cuts == 0) assertThat(s.writes).hasSize(2);
        for (Sink s : sinks) if (s.cuts == 0) assertThat(s.ids()).containsExactly(1L);
    }

    @Test
    void aBatchGoesOutASliceOfStreamsPerLoopTaskAndTheNextBatchWaitsForTheWholePass() {
        SseFanout fanout = new SseFanout(log, null, frames, loop::add, (ms, r) -> loop.add(r), clock::get);
        List<Sink> sinks = new ArrayList<>();
        for (int i = 0; i < SseFanout.SLICE * 2 + 10; i++) {
            Sink s = new Sink();
            fanout.join(s, 0, false);
            sinks.add(s);
        }
        publish(1);
        loop.poll().run(); // the drain: formats the batch and writes the first slice
        assertThat(sinks.stream().filter(s -> !s.writes.isEmpty())).hasSize(SseFanout.SLICE);
        publish(1); // arrives mid-pass: it must not overtake event 1 on the streams not yet written
        runLoop();
        for (Sink s : sinks) assertThat(s.ids()).containsExactly(1L, 2L);
        assertThat(sinks.get(SseFanout.SLICE * 2 + 9).writes).as("one write per batch").hasSize(2);
    }

    @Test
    void theNextBatchWaitsLongerWhenWritingTheLastOneTookLongSoTheFanOutKeepsToAShareOfTheLoop() {
        SseFanout fanout = new SseFanout(log, null, frames, loop::add, (ms, r) -> loop.add(r), clock::get);
        Sink slow = new Sink() {
            @Override
            public void write(Buffer bytes) {
                super.write(bytes);
                clock.addAndGet(60_000_000); // 60 ms a write
            }
        };
        fanout.join(slow, 0, false);
        assertThat(fanout.batchDelayMillis()).isEqualTo(SseFanout.BATCH_MILLIS);
        publish(1);
        runLoop();
        assertThat(fanout.batchDelayMillis()).isEqualTo(SseFanout.IDLE_SHARE * 60L);
        slow.writes.clear();
        fanout.leave(fanout.join(new Sink(), 1, false));
        publish(1);
        runLoop();
        assertThat(slow.ids()).containsExactly(2L);
    }

    @Test
    void aStreamWhoseQueueIsFullIsCutWithoutBeingWrittenAndTheOthersGoOn() {
        SseFanout fanout = new SseFanout(log, null, frames, loop::add, (ms, r) -> loop.add(r), clock::get);
        Sink reader = new Sink();
        Sink stuck = new Sink();
        Sink fillsUp = new Sink();
        fanout.join(reader, 0, false);
        fanout.join(stuck, 0, false);
        fanout.join(fillsUp, 0, false);
        stuck.full = true;
        fillsUp.fullAfterWrite = true;
        publish(2);
        runLoop();
        assertThat(stuck.writes).as("nothing formatted or written for a full stream").isEmpty();
        assertThat(stuck.cuts).isEqualTo(1);
        assertThat(fillsUp.ids()).as("the write that filled it went out, then it is cut").containsExactly(1L, 2L);
        assertThat(fillsUp.cuts).isEqualTo(1);
        publish(1);
        runLoop();
        assertThat(reader.ids()).containsExactly(1L, 2L, 3L);
        assertThat(stuck.cuts + fillsUp.cuts).as("cut once, then gone").isEqualTo(2);
        assertThat(fillsUp.writes).hasSize(1);
        assertThat(fanout.members()).isEqualTo(1);
    }

    @Test
    void aStreamBehindTheLoopIsRefusedUntilItHasReplayedTheGapThenSeesEachEventOnceInOrder() {
        publish(5); // before the fan-out: replayed by the stream itself
        SseFanout fanout = new SseFanout(log, null, frames, loop::add, (ms, r) -> loop.add(r), clock::get);
        assertThat(fanout.fannedOut()).isEqualTo(5);
        Sink s = new Sink();
        assertThat(fanout.join(s, 2, false)).as("events 3..5 were never fanned out here: replay them first").isNull();
        publish(2); // 6, 7
        runLoop();
        assertThat(fanout.join(s, 5, false)).as("7 went out on this loop already").isNull();
        // the replay (on a worker) got up to 7; meanwhile 8 and 9 are published but not yet drained
        publish(2);
        assertThat(fanout.join(s, 8, false)).as("8 queued, not yet fanned out: it may join").isNotNull();
        runLoop();
        assertThat(s.ids()).as("only what its replay did not send").containsExactly(9L);
        publish(1);
        runLoop();
        assertThat(s.ids()).containsExactly(9L, 10L);
    }

    @Test
    void aStreamWhoseWriteFailsIsDroppedAndTheOthersStillGetTheBatch() {
        SseFanout fanout = new SseFanout(log, null, frames, loop::add, (ms, r) -> loop.add(r), clock::get);
        Sink broken = new Sink() {
            @Override
            public void write(Buffer bytes) {
                throw new IllegalStateException("Response has already been written");
            }
        };
        Sink after = new Sink();
        fanout.join(broken, 0, false);
        fanout.join(after, 0, false);
        publish(1);
        runLoop();
        assertThat(after.ids()).containsExactly(1L);
        assertThat(fanout.members()).isEqualTo(1);
    }

    @Test
    void aClosedStreamGetsNothingMoreAndKeepAlivesSkipAndCutFullStreams() {
        SseFanout fanout = new SseFanout(log, null, frames, loop::add, (ms, r) -> loop.add(r), clock::get);
        Sink a = new Sink();
        Sink b = new Sink();
        SseFanout.Member ma = fanout.join(a, 0, false);
        fanout.join(b, 0, false);
        fanout.leave(ma);
        publish(1);
        runLoop();
        assertThat(a.writes).isEmpty();
        assertThat(b.ids()).containsExactly(1L);
        fanout.keepAlive();
        assertThat(b.writes).as("a batch went out since the last keep-alive: traffic enough").hasSize(1);
        fanout.keepAlive();
        assertThat(b.writes.get(1)).isSameAs(SseFanout.KEEP_ALIVE);
        b.full = true;
        fanout.keepAlive();
        assertThat(b.cuts).isEqualTo(1);
        assertThat(fanout.members()).isZero();
        fanout.close();
        assertThat(log.subscribers()).isZero();
    }

    @Test
    void progressDocumentsGoOnlyToStreamsThatAskedAndEventsKeepTheirOrder() {
        io.nightshift.coordinator.progress.ProgressBoard board = new io.nightshift.coordinator.progress.ProgressBoard(
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        SseFanout fanout = new SseFanout(log, board, frames, loop::add, (ms, r) -> loop.add(r), clock::get);
        Sink plain = new Sink();
        Sink progress = new Sink();
        fanout.join(plain, 0, false);
        fanout.join(progress, 0, true);
        publish(1);
        fanout.offer(java.util.Map.of("taskId", "t1"));
        publish(1);
        runLoop();
        assertThat(plain.ids()).containsExactly(1L, 2L);
        assertThat(plain.writes.get(0).toString()).doesNotContain("event: progress");
        assertThat(progress.ids()).containsExactly(1L, 2L);
        String p = progress.writes.get(0).toString();
        assertThat(p.indexOf("id: 1\n")).isLessThan(p.indexOf("event: progress\ndata: {\"taskId\":\"t1\"}"));
        assertThat(p.indexOf("event: progress")).isLessThan(p.indexOf("id: 2\n"));
    }
}
