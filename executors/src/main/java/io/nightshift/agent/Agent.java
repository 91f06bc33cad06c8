package io.nightshift.agent;

import io.nightshift.agent.channel.CoordinatorChannel;
import io.nightshift.agent.channel.Fencing;
import io.nightshift.agent.channel.StatusJournal;
import io.nightshift.agent.logs.LogServer;
import io.nightshift.agent.process.Isolation;
import io.nightshift.agent.process.ProcTable;
import io.nightshift.agent.process.Supervisor;
import io.nightshift.agent.runner.Runners;
import io.nightshift.agent.sandbox.SandboxGc;
import io.nightshift.api.protocol.AgentMessage;
import io.nightshift.api.protocol.CoordinatorMessage;
import io.nightshift.api.state.Reason;
import io.nightshift.connectors.stage.ArtifactStager;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent daemon of one machine: holds the channel to the coordinator (register, heartbeat,
 * status updates), runs task attempts as supervised process trees in sandboxes, and serves their
 * logs over HTTP. {@link #start} returns once the log server listens; the channel connects in the
 * background and reconnects with back-off whenever it drops.
 *
 * <p>Tasks do not depend on the agent's lifetime. Status updates are journaled on disk until
 * acknowledged; each attempt keeps a checkpoint in its sandbox. {@link #start} first recovers what an
 * earlier run on the same work dir left (re-attaches to running attempts, reports those that ended
 * meanwhile), then registers, listing both. {@link #stop(boolean) stop(false)} leaves tasks running
 * for the next start to re-attach; {@code stop(true)} kills them.
 *
 * <p>Threads: one Vert.x instance of its own (channel, HTTP) and a small scheduler for everything
 * that touches processes and files (launch, kill, GC, journal bookkeeping).
 */
public final class Agent implements AutoCloseable {
    /** Threads that launch and reap attempts (and run the agent's other short blocking steps). */
    public static final int LAUNCH_THREADS = 8;
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    /** At shutdown, a job's kill grace period is capped at this. */
    static final Duration SHUTDOWN_MAX_GRACE = Duration.ofSeconds(30);
    /** How long start waits for attempts found ended to be reported before registering anyway. */
    static final Duration RECOVERY_REPORT_TIMEOUT = Duration.ofSeconds(15);

    private final AgentConfig config;
    private final String id;
    private final Isolation isolation;
    private final ScheduledThreadPoolExecutor scheduler;
    private final StatusJournal journal;
    private final Fencing fencing;
    private final io.nightshift.agent.channel.LaunchRecord launches;
    private final Supervisor supervisor;
    private final Attempts attempts;
    private final ArtifactStager artifacts;
    private final Vertx vertx;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile LogServer logServer;
    private volatile io.nightshift.agent.metrics.AgentMetrics metrics;
    private volatile CoordinatorChannel channel;
    private volatile ScheduledFuture<?> gcTask;
    private volatile ScheduledFuture<?> progressTask;
    private volatile ScheduledFuture<?> ownerLoadTask;
    private final io.nightshift.agent.load.OwnerLoadSampler ownerLoad;
    private int httpPort;
    private String httpUrl;

    private Agent(AgentConfig config) {
        this.config = config;
        Path work = config.workDir();
        try {
            Files.createDirectories(sandboxesRoot(work));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the agent work dir " + work, e);
        }
        this.id = AgentIdentity.resolve(config.id(), work, config.host());
        this.isolation = Isolation.detectFor(config.cgroups(), id, work);
        AtomicInteger n = new AtomicInteger();
        // Launches and exits block on fork/exec, cgroup files and fsyncs, not on CPU: enough threads to overlap them.
        this.scheduler = new ScheduledThreadPoolExecutor(LAUNCH_THREADS, r -> {
            Thread t = new Thread(r, "nightshift-agent-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        this.journal = StatusJournal.open(work, Clock.systemUTC(), scheduler);
        this.fencing = new Fencing(work);
        this.launches = new io.nightshift.agent.channel.LaunchRecord(work,
                io.nightshift.agent.channel.LaunchRecord.DEFAULT_MAX_BYTES, Clock.systemUTC());
        this.supervisor = new Supervisor(isolation, ProcTable.SYSTEM, scheduler);
        ArtifactStager stager;
        try {
            stager = config.fetch().stager(work);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the artifact cache", e);
        }
        this.artifacts = stager;
        this.attempts = new Attempts(sandboxesRoot(work), Runners.forAgent(config), supervisor, journal, scheduler,
                System.getenv(), Path.of(System.getProperty("java.home")), Clock.systemUTC(), stager);
        this.vertx = Vertx.vertx();
        io.nightshift.agent.load.CgroupLoad owners = config.ownerLoad().cgroup() == null ? null
                : new io.nightshift.agent.load.CgroupLoad(Path.of("/sys/fs/cgroup"), config.ownerLoad().cgroup());
        if (owners != null) LOG.info("agent {}: owner load from {}", id, owners.describe());
        this.ownerLoad = new io.nightshift.agent.load.OwnerLoadSampler(Path.of("/proc"), owners, config.ownerLoad().halfLife(),
                config.ownerLoad().peakWindow());
    }

    /** The machine's latest smoothed owner load (not Nightshift's), or null before two samples were taken. */
    public io.nightshift.api.model.OwnerLoad ownerLoad() {
        return ownerLoad.latest();
    }

    private void sampleOwnerLoad() {
        Set<Long> ours = new java.util.HashSet<>(ownerLoad.countsOurProcesses() ? attempts.taskPids() : Set.of());
        ours.add(ProcessHandle.current().pid());
        ownerLoad.sample(ours, Clock.systemUTC().instant());
    }

    /**
     * The Prometheus registry, made on the first scrape: Micrometer's classes cost a restarted agent
     * time before it can register again (counters come from the cache's own, so nothing is missed;
     * the fetch-time histogram counts from the first scrape).
     */
    synchronized io.nightshift.agent.metrics.AgentMetrics metrics() {
        if (metrics == null)
            metrics = new io.nightshift.agent.metrics.AgentMetrics(id, artifacts == null ? null : artifacts.cache(),
                    config.fetch().cacheMaxMb() << 20, () -> attempts.active().size());
        return metrics;
    }

    /** This agent's artifact stager (its cache and the cache's metrics). */
    public ArtifactStager artifacts() {
        return artifacts;
    }

    static Path sandboxesRoot(Path workDir) {
        return workDir.resolve("sandboxes");
    }

    /** Starts an agent; returns once its log server listens. The coordinator channel connects asynchronously. */
    public static Agent start(AgentConfig config) {
        Agent agent = new Agent(config);
        try {
            agent.startServices();
        } catch (RuntimeException e) {
            agent.close();
            throw e;
        }
        return agent;
    }

    /** Where the credential the cluster issued to this agent id is kept (mode 0600). */
    static java.nio.file.Path credentialFile(java.nio.file.Path workDir) {
        return workDir.resolve("agent-credential");
    }

    private volatile String credential;

    private String credential() {
        if (credential == null) {
            java.nio.file.Path f = credentialFile(config.workDir());
            try {
                if (java.nio.file.Files.isRegularFile(f)) credential = java.nio.file.Files.readString(f).strip();
            } catch (java.io.IOException e) {
                LOG.warn("agent {}: cannot read {}: {}", id, f, e.toString());
            }
        }
        return credential == null || credential.isEmpty() ? null : credential;
    }

    private void keepCredential(String c) {
        java.nio.file.Path f = credentialFile(config.workDir());
        try {
            java.nio.file.Path tmp = f.resolveSibling("agent-credential.tmp");
            java.nio.file.Files.deleteIfExists(tmp);
            java.nio.file.Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            java.nio.file.Files.writeString(tmp, c + "\n");
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            java.nio.file.Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            credential = c;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot keep the agent credential in " + f, e);
        }
    }

    private void startServices() {
        LOG.info("agent {}: starting; isolation {}; resources {}; work dir {}", id, isolation.describe(),
                config.resources(), config.workDir());
        recover();
        logServer = new LogServer(vertx, sandboxesRoot(config.workDir()), attempts::state, this::healthFields)
                .metrics(() -> metrics().scrape())
                .tickets(id, this::credential, config.security().metricsOpen(), Clock.systemUTC());
        if (config.security().tls()) logServer.tls(config.security().certFile(), config.security().keyFile());
        httpPort = await(logServer.listen(config.httpHost(), config.httpPort()), Duration.ofSeconds(30));
        String urlHost = isWildcard(config.httpHost()) ? config.host() : config.httpHost();
        httpUrl = (config.security().tls() ? "https://" : "http://") + (urlHost.contains(":") ? "[" + urlHost + "]" : urlHost) + ":" + httpPort;
        LOG.info("agent {}: log server on {}", id, httpUrl);
        channel = new CoordinatorChannel(vertx, config.coordinators(), id, this::registration,
                this::heartbeat,
                journal, fencing, new CoordinatorChannel.Handler() {
                    @Override
                    public void launch(CoordinatorMessage.Launch launch) {
                        boolean started = attempts.launch(launch);
                        launches.record(launch, started ? io.nightshift.agent.channel.LaunchRecord.Verdict.LAUNCHED
                                : io.nightshift.agent.channel.LaunchRecord.Verdict.IGNORED);
                    }

                    @Override
                    public void kill(CoordinatorMessage.Kill kill) {
                        if (!attempts.kill(kill.attemptId(), kill.grace(), kill.reason()))
                            LOG.info("attempt {}: kill ignored (unknown here or already ending)", kill.attemptId());
                    }
                }, config.reconnectInitialBackoff(), config.reconnectMaxBackoff()).bearer(config::token)
                .credential(this::credential, this::keepCredential).trust(config.security().caFile())
                .localAddress(config.localAddress()).launchRecord(launches);
        channel.start();
        ProgressReporter progress = new ProgressReporter(id, attempts::activeSandboxes, channel::sendProgress);
        attempts.onLeaderExit(progress::last);
        progressTask = scheduler.scheduleWithFixedDelay(() -> {
            try {
                progress.tick();
            } catch (RuntimeException e) {
                LOG.warn("agent {}: progress reporting failed: {}", id, e.toString());
            }
        }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        long sampleEvery = config.ownerLoad().interval().toMillis();
        ownerLoadTask = scheduler.scheduleWithFixedDelay(() -> {
            try {
                sampleOwnerLoad();
            } catch (RuntimeException e) {
                LOG.warn("agent {}: owner load sampling failed: {}", id, e.toString());
            }
        }, 0, sampleEvery, TimeUnit.MILLISECONDS);
        SandboxGc gc = new SandboxGc(sandboxesRoot(config.workDir()), config.sandboxMaxAge(),
                config.sandboxDiskBudgetMb() * 1024 * 1024, Clock.systemUTC(), attempts::active, attempts::forget);
        long every = config.sandboxGcInterval().toMillis();
        gcTask = scheduler.scheduleWithFixedDelay(() -> {
            try {
                gc.collect();
            } catch (RuntimeException e) {
                LOG.warn("agent {}: sandbox gc failed: {}", id, e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes over what an earlier run left: re-attaches, and waits (bounded) until the attempts that
     * ended meanwhile are journaled, so the first Register lists every attempt in running or reported.
     * Then removes cgroups nobody owns any more.
     */
    private void recover() {
        CompletableFuture<Void> reported = attempts.recover();
        try {
            reported.get(RECOVERY_REPORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("agent {}: attempts that ended while the agent was down are still being cleaned up; registering anyway",
                    id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warn("agent {}: recovery failed: {}", id, e.getCause().toString());
        }
        Path sandboxes = sandboxesRoot(config.workDir());
        supervisor.removeStaleCgroups(attempts.active(), aid -> Files.isDirectory(sandboxes.resolve(aid)));
    }

    /** Lists the attempts as the registration does, so the leader reconciles at every heartbeat. */
    private AgentMessage.Heartbeat heartbeat() {
        List<String> running = new TreeSet<>(attempts.active()).stream().toList();
        return new AgentMessage.Heartbeat(id, Clock.systemUTC().instant(), running.size(), ownerLoad.latest(), running,
                List.copyOf(journal.unackedAttempts()));
    }

    private AgentMessage.Register registration() {
        return new AgentMessage.Register(id, config.host(), httpUrl, config.resources(), config.attributes(),
                isolation.describe(), AgentIdentity.version(), new TreeSet<>(attempts.active()).stream().toList(),
                List.copyOf(journal.unackedAttempts()));
    }

    private Map<String, Object> healthFields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("agentId", id);
        m.put("isolation", isolation.describe());
        m.put("connected", connected());
        m.put("running", attempts.active().size());
        io.nightshift.api.model.OwnerLoad load = ownerLoad.latest();
        if (load != null) m.put("ownerLoad", load);
        return m;
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    public String id() {
        return id;
    }

    public int httpPort() {
        return httpPort;
    }

    /** Base URL of the log server, as advertised to the coordinator. */
    public String httpUrl() {
        return httpUrl;
    }

    /** True while registered with a coordinator. */
    public boolean connected() {
        CoordinatorChannel c = channel;
        return c != null && c.connected();
    }

    /** The isolation in use, e.g. {@code cgroup-v1(memory,cpu,pids,freezer)+session+env-scan}. */
    public String isolation() {
        return isolation.describe();
    }

    /** Ids of attempts that have not reached a terminal state. */
    public Set<String> runningAttempts() {
        return attempts.active();
    }

    public AgentConfig config() {
        return config;
    }

    /** The highest leader epoch this agent has seen (fencing). */
    public long leaderEpoch() {
        return fencing.highest();
    }

    /** The coordinator this agent is registered with now, or null. */
    public URI registeredWith() {
        CoordinatorChannel c = channel;
        return c == null ? null : c.registeredWith();
    }

    /**
     * {@link #stop(boolean) stop}{@code (agent.kill-tasks-on-stop)}: by default the tasks keep
     * running, to be re-attached by the next agent started on this work dir. Idempotent.
     */
    @Override
    public void close() {
        stop(config.killTasksOnStop());
    }

    /**
     * Stops the agent. Refuses new launches, then:
     * <ul>
     *   <li>{@code killTasks = true}: kills every running attempt (reason AGENT_SHUTDOWN, each job's
     *       grace capped at 30 s) and reports it (for {@code nightshift local}'s Ctrl-C and tests);</li>
     *   <li>{@code killTasks = false}: leaves every attempt running, untouched; its checkpoint is on
     *       disk and the next agent started on this work dir re-attaches to it (an agent upgrade or
     *       restart under systemd).</li>
     * </ul>
     * Either way it gives the coordinator a moment to acknowledge what is pending (the rest stays in
     * the journal and is re-sent by the next start), then closes the channel, the log server, Vert.x
     * and the journal. Idempotent: only the first call acts.
     */
    public void stop(boolean killTasks) {
        if (!closed.compareAndSet(false, true)) return;
        ScheduledFuture<?> gc = gcTask;
        if (gc != null) gc.cancel(false);
        ScheduledFuture<?> pr = progressTask;
        if (pr != null) pr.cancel(false);
        ScheduledFuture<?> ol = ownerLoadTask;
        if (ol != null) ol.cancel(false);
        if (killTasks) {
            LOG.info("agent {}: stopping; killing {} running attempt(s)", id, attempts.active().size());
            try {
                attempts.killAll(Reason.AGENT_SHUTDOWN, SHUTDOWN_MAX_GRACE)
                        .get(SHUTDOWN_MAX_GRACE.toSeconds() + 15, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("agent {}: not every attempt ended in time: {}", id, attempts.active());
            }
        } else {
            Set<String> left = attempts.detach();
            LOG.info("agent {}: stopping; leaving {} attempt(s) running for the next start to re-attach: {}", id,
                    left.size(), left);
        }
        CoordinatorChannel c = channel;
        if (c != null) {
            awaitQuietly(c.awaitAcknowledged(Duration.ofSeconds(2)), Duration.ofSeconds(3));
            awaitQuietly(c.close(), Duration.ofSeconds(5));
        }
        LogServer ls = logServer;
        if (ls != null) awaitQuietly(ls.close(), Duration.ofSeconds(5));
        awaitQuietly(vertx.close(), Duration.ofSeconds(10));
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        journal.close();
        launches.close();
        LOG.info("agent {}: stopped", id);
    }

    private static <T> T await(Future<T> f, Duration timeout) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(cause.getMessage(), cause);
        }
    }

    private static void awaitQuietly(Future<?> f, Duration timeout) {
        try {
            f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // best effort at shutdown
        }
    }
}
