package io.nightshift.testkit;

import io.nightshift.agent.channel.CoordinatorChannel;
import io.nightshift.agent.channel.Fencing;
import io.nightshift.agent.channel.StatusJournal;
import io.nightshift.api.Resources;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.protocol.CoordinatorMessage;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many agent-protocol peers in one JVM, for the coordinator at cluster scale: each peer is the real
 * agent's {@link CoordinatorChannel} (join token → per-agent credential issued at the first
 * registration and proven by the coordinator afterwards, fencing by leader epoch, heartbeats at the
 * interval the coordinator names, the status journal with its acks, reconnection to the next
 * coordinator with exponential back-off and jitter) over a handful of shared event loops. What a
 * peer does not have is an agent's machine: it runs every launched attempt as an instant no-op
 * (RUNNING, then FINISHED with exit 0, after {@link Options#taskTime}), has no sandboxes and no
 * log server (its advertised {@code httpUrl} answers nothing), and measures no owner load.
 * <p>
 * On each (re)connect a peer's Register lists the attempts it still "runs" and those with updates
 * not yet acknowledged, exactly as an agent does, so a new leader reconciles against it.
 * Peer {@code i} has the id {@code <prefix>-<i>} (five digits) and its journal and epoch file under
 * {@code <workRoot>/<id>}, or on an in-memory file system (an agent's journal keeps its file open: 10,000 of them
 * and 10,000 sockets would pass a usual {@code ulimit -n} of 20,000).
 */
public final class PeerFleet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerFleet.class);

    /**
     * @param count        number of peers (≥ 1)
     * @param coordinators every coordinator's base URL, tried in this order
     * @param token        the join token (a token with role agent), null with auth off
     * @param workRoot     where each peer's journal and epoch file live; null: on an in-memory file system (Jimfs), so
     *                     that thousands of open journals hold no OS file descriptors (each peer's socket already holds one)
     * @param prefix       agent id prefix
     * @param cpus         each peer's advertised cpus; {@code memMb} likewise
     * @param taskTime     how long an attempt stays RUNNING before it FINISHes (zero: at once)
     * @param startRate    peers started per second (their first connects), to not open thousands at once
     * @param eventLoops   event-loop threads shared by all peers
     */
    public record Options(int count, List<URI> coordinators, String token, Path workRoot, String prefix, double cpus,
                          long memMb, Duration taskTime, Duration initialBackoff, Duration maxBackoff, int startRate,
                          int eventLoops) {
        public Options {
            if (count < 1) throw new IllegalArgumentException("count must be at least 1: " + count);
            if (coordinators == null || coordinators.isEmpty()) throw new IllegalArgumentException("no coordinator URL");
            if (startRate < 1) throw new IllegalArgumentException("startRate must be at least 1: " + startRate);
            if (eventLoops < 1) throw new IllegalArgumentException("eventLoops must be at least 1: " + eventLoops);
            if (taskTime.isNegative()) throw new IllegalArgumentException("taskTime must not be negative");
            coordinators = List.copyOf(coordinators);
        }

        /** {@code count} peers of 4 cpus / 8 GiB with the agent's default back-off (0.5 s doubling to 10 s). */
        public static Options of(int count, List<URI> coordinators, String token, Path workRoot) {
            return new Options(count, coordinators, token, workRoot, "peer", 4, 8192, Duration.ZERO,
                    Duration.ofMillis(500), Duration.ofSeconds(10), 1000, 2);
        }

        public Options withTaskTime(Duration d) {
            return new Options(count, coordinators, token, workRoot, prefix, cpus, memMb, d, initialBackoff, maxBackoff,
                    startRate, eventLoops);
        }

        public Options withPrefix(String p) {
            return new Options(count, coordinators, token, workRoot, p, cpus, memMb, taskTime, initialBackoff, maxBackoff,
                    startRate, eventLoops);
        }

        public Options withBackoff(Duration initial, Duration max) {
            return new Options(count, coordinators, token, workRoot, prefix, cpus, memMb, taskTime, initial, max,
                    startRate, eventLoops);
        }

        public Options withStartRate(int perSecond) {
            return new Options(count, coordinators, token, workRoot, prefix, cpus, memMb, taskTime, initialBackoff,
                    maxBackoff, perSecond, eventLoops);
        }
    }

    private final Options options;
    private final Vertx vertx;
    private final Path workRoot;
    private final java.nio.file.FileSystem memory; // null: on disk
    private final ExecutorService journaling;
    private final List<Peer> peers = new ArrayList<>();
    private final AtomicLong launched = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();
    private final AtomicLong killed = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    /** leader epoch → [launches with it, System.nanoTime() of the first]. */
    private final Map<Long, long[]> byEpoch = new ConcurrentHashMap<>();

    private PeerFleet(Options options) {
        this.options = options;
        this.memory = options.workRoot() == null
                ? com.google.common.jimfs.Jimfs.newFileSystem(com.google.common.jimfs.Configuration.unix()) : null;
        this.workRoot = memory == null ? options.workRoot() : memory.getPath("/peers");
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(options.eventLoops()));
        // status updates are fsynced off the event loops, as the agent's attempt threads do; one thread, so a
        // peer's RUNNING is always journaled (and numbered) before its FINISHED
        this.journaling = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "peer-fleet-journal");
            t.setDaemon(true);
            return t;
        });
    }

    /** Creates every peer and starts them at {@link Options#startRate} per second; returns when all are started. */
    public static PeerFleet start(Options options) throws InterruptedException {
        PeerFleet fleet = new PeerFleet(options);
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < options.count(); i++) {
                Peer p = fleet.new Peer(String.format("%s-%05d", options.prefix(), i));
                fleet.peers.add(p);
                p.channel.start();
                long due = t0 + (long) ((i + 1) * 1e9 / options.startRate());
                long wait = due - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            }
        } catch (RuntimeException | InterruptedException e) {
            fleet.close();
            throw e;
        }
        LOG.info("peer fleet: {} peers started toward {}", options.count(), options.coordinators());
        return fleet;
    }

    public int size() {
        return peers.size();
    }

    /** Peers registered with some coordinator now. */
    public int registered() {
        int n = 0;
        for (Peer p : peers) if (p.channel.connected()) n++;
        return n;
    }

    /** Peers registered with {@code coordinator} (a base URL as given in {@link Options#coordinators}). */
    public int registeredWith(URI coordinator) {
        int n = 0;
        for (Peer p : peers) if (coordinator.equals(p.channel.registeredWith())) n++;
        return n;
    }

    /** Peers registered with {@code coordinator} whose every status update has been acknowledged (reconciled). */
    public int settledWith(URI coordinator) {
        int n = 0;
        for (Peer p : peers) if (coordinator.equals(p.channel.registeredWith()) && p.journal.unacked().isEmpty()) n++;
        return n;
    }

    /** Peers that hold a credential issued by the cluster (at their first registration). */
    public int credentialed() {
        int n = 0;
        for (Peer p : peers) if (p.credential != null) n++;
        return n;
    }

    /** Attempts launched on the fleet (a launch of an attempt a peer already had is not counted). */
    public long launched() {
        return launched.get();
    }

    /** The highest leader epoch a launch carried so far (0: none yet). */
    public long highestLaunchEpoch() {
        return byEpoch.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** Launches sent by leaders of an epoch above {@code epoch} (those after a failover). */
    public long launchesAbove(long epoch) {
        long n = 0;
        for (var e : byEpoch.entrySet()) if (e.getKey() > epoch) synchronized (e.getValue()) {
            n += e.getValue()[0];
        }
        return n;
    }

    /** {@link System#nanoTime()} of the first launch by a leader of an epoch above {@code epoch}, or -1. */
    public long firstLaunchNanosAbove(long epoch) {
        long first = Long.MAX_VALUE;
        for (var e : byEpoch.entrySet()) if (e.getKey() > epoch) synchronized (e.getValue()) {
            first = Math.min(first, e.getValue()[1]);
        }
        return first == Long.MAX_VALUE ? -1 : first;
    }

    /** Attempts that reported FINISHED. */
    public long finished() {
        return finished.get();
    }

    /** Attempts killed by the coordinator before they finished. */
    public long killed() {
        return killed.get();
    }

    /** Launches of an attempt the peer had already launched (a re-sent Launch; must stay 0 for "exactly once"). */
    public long duplicateLaunches() {
        return duplicates.get();
    }

    /** Attempts the peers run now. */
    public int running() {
        int n = 0;
        for (Peer p : peers) n += p.running.size();
        return n;
    }

    /** Status updates not yet acknowledged, over all peers. */
    public int unacknowledged() {
        int n = 0;
        for (Peer p : peers) n += p.journal.unacked().size();
        return n;
    }

    /** Closes every channel (the coordinators see the peers go) and stops the event loops. */
    @Override
    public void close() {
        List<io.vertx.core.Future<Void>> closing = new ArrayList<>();
        for (Peer p : peers) closing.add(p.channel.close());
        try {
            io.vertx.core.Future.join(closing).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("peer fleet: not every channel closed within 30 s: {}", e.toString());
        }
        journaling.shutdown();
        try {
            journaling.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Peer p : peers) p.journal.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("peer fleet: event loops did not stop within 30 s: {}", e.toString());
        }
        if (memory != null) {
            try {
                memory.close();
            } catch (java.io.IOException e) {
                LOG.debug("peer fleet: in-memory file system close: {}", e.toString());
            }
        }
    }

    /** One agent-protocol peer: the agent's channel, journal and fencing; attempts are no-ops. */
    private final class Peer {
        final String id;
        final StatusJournal journal;
        final Fencing fencing;
        final CoordinatorChannel channel;
        /** attempt id → task id, of attempts launched and not ended. */
        final Map<String, String> running = new ConcurrentHashMap<>();
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        volatile String credential;

        Peer(String id) {
            this.id = id;
            Path dir = workRoot.resolve(id);
            this.journal = StatusJournal.open(dir, Clock.systemUTC(), journaling);
            this.fencing = new Fencing(dir);
            this.channel = new CoordinatorChannel(vertx, options.coordinators(), id, this::registration,
                    () -> new AgentMessage.Heartbeat(id, Clock.systemUTC().instant(), running.size()),
                    journal, fencing, new CoordinatorChannel.Handler() {
                        @Override
                        public void launch(CoordinatorMessage.Launch l) {
                            onLaunch(l);
                        }

                        @Override
                        public void kill(CoordinatorMessage.Kill k) {
                            onKill(k);
                        }
                    }, options.initialBackoff(), options.maxBackoff())
                    .bearer(options::token)
                    .credential(() -> credential, c -> credential = c);
        }

        AgentMessage.Register registration() {
            return new AgentMessage.Register(id, "127.0.0.1", "http://127.0.0.1:9", new Resources(options.cpus(), options.memMb(), 100_000, 0),
                    Map.of("fleet", "peer"), "none (peer fleet: no-op tasks)", "peer-fleet",
                    new TreeSet<>(running.keySet()).stream().toList(), List.copyOf(journal.unackedAttempts()));
        }

        void onLaunch(CoordinatorMessage.Launch l) {
            if (!seen.add(l.attemptId())) {
                duplicates.incrementAndGet();
                return;
            }
            launched.incrementAndGet();
            long[] e = byEpoch.computeIfAbsent(l.epoch(), k -> new long[] {0, System.nanoTime()});
            synchronized (e) {
                e[0]++;
            }
            running.put(l.attemptId(), l.taskId());
            report(l.taskId(), l.attemptId(), TaskState.RUNNING, null, null, "peer fleet: no-op");
            long ms = options.taskTime().toMillis();
            if (ms <= 0) finish(l.attemptId());
            else vertx.setTimer(ms, t -> finish(l.attemptId()));
        }

        void finish(String attemptId) {
            String task = running.remove(attemptId);
            if (task == null) return; // killed meanwhile
            finished.incrementAndGet();
            report(task, attemptId, TaskState.FINISHED, null, 0, "peer fleet: no-op finished");
        }

        void onKill(CoordinatorMessage.Kill k) {
            String task = running.remove(k.attemptId());
            if (task == null) return;
            killed.incrementAndGet();
            report(task, k.attemptId(), TaskState.KILLED, k.reason() == null ? Reason.KILLED_BY_USER : k.reason(), null,
                    "peer fleet: killed");
        }

        /** Journals (fsync) on the fleet's journaling thread, in the order reported. */
        void report(String task, String attempt, TaskState state, Reason reason, Integer exit, String message) {
            journaling.execute(() -> {
                try {
                    journal.report(task, attempt, state, reason, exit, message);
                } catch (RuntimeException e) {
                    LOG.warn("peer {}: cannot journal {} of attempt {}: {}", id, state, attempt, e.toString());
                }
            });
        }
    }
}
