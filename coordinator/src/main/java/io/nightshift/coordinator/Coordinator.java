package io.nightshift.coordinator;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import io.nightshift.coordinator.state.jdbc.Database;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nightshift.coordinator.auth.Authenticator;
import io.nightshift.coordinator.auth.TokenStore;
import io.nightshift.coordinator.core.Metrics;
import io.nightshift.coordinator.core.SchedulerCore;
import io.nightshift.coordinator.events.EventLog;
import io.nightshift.coordinator.http.HttpApi;
import io.nightshift.coordinator.state.HazelcastStateStore;
import io.nightshift.coordinator.state.StateStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator: an embedded Hazelcast member holding the state, the scheduler core, and the
 * Vert.x HTTP server (REST API, agent channel, dashboard). {@link #start} returns once it serves.
 */
public final class Coordinator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    private final CoordinatorConfig cfg;
    private final Database database;
    private final HazelcastInstance hazelcast;
    private final StateStore store;
    private final SchedulerCore core;
    private final Vertx vertx;
    private final io.nightshift.coordinator.http.LoopDelayProbe loopProbe;
    private final HttpApi api;
    private final Leadership leadership;
    private java.util.concurrent.ScheduledExecutorService compactor;
    private final HttpServer server;
    private final URI url;
    private final io.nightshift.coordinator.tls.SelfSigned.Pair tls;
    private final List<String> routePaths;
    private final io.nightshift.coordinator.utilization.UtilizationSampler sampler;
    private final Authenticator auth;
    private final String adminToken;

    private Coordinator(CoordinatorConfig cfg) {
        this(cfg, cfg.schedulerClock());
    }

    /** {@code schedulerClock}: the scheduling core's time (windows, pools, timeouts); tests move it, production never. */
    private Coordinator(CoordinatorConfig cfg, Clock schedulerClock) {
        this.cfg = cfg;
        try {
            Files.createDirectories(cfg.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + cfg.dataDir(), e);
        }
        this.tls = cfg.tlsPair(); // before anything starts: a bad TLS setting leaves nothing running
        cfg.tlsCaFile();
        String jwtIssuer = cfg.config().get(SecuritySettings.JWT_ISSUER);
        String jwks = cfg.config().get(SecuritySettings.JWT_JWKS_URL);
        if (!jwtIssuer.isBlank() && !jwks.matches("https?://\\S+"))
            throw new io.nightshift.api.config.ConfigException(SecuritySettings.JWT_ISSUER.name() + " is set: "
                    + SecuritySettings.JWT_JWKS_URL.name() + " must be the issuer's http(s) JWKS URL");
        this.database = Database.open(Database.Options.of(cfg.jdbcUrl(), cfg.jdbcUser(), cfg.jdbcPassword(), cfg.dataDir())
                .withPoolSize(cfg.jdbcPoolSize()).withSqliteSync(Database.Options.Sync.valueOf(cfg.sqliteSynchronous())));
        log.info("durable store: {}", database.describe());
        try {
            HazelcastAsync.install(); // not a thread per map write on a 2-core machine
            this.hazelcast = Hazelcast.newHazelcastInstance(hazelcastConfig(cfg, database));
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        try {
            joinOnTheSameStore(hazelcast, database);
        } catch (RuntimeException e) {
            hazelcast.getLifecycleService().terminate();
            database.close();
            throw e;
        }
        this.store = new HazelcastStateStore(hazelcast, database);
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(prometheus);
        new JvmThreadMetrics().bindTo(prometheus);
        EventLog events = new EventLog(cfg.eventBuffer(), store.lastEventSeq(), store::eventsAfter);
        this.core = new SchedulerCore(store, events, schedulerClock, cfg, new Metrics(prometheus));
        this.vertx = Vertx.vertx();
        this.loopProbe = new io.nightshift.coordinator.http.LoopDelayProbe(vertx, prometheus,
                io.vertx.core.VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, core::onCoreThread);
        this.sampler = new io.nightshift.coordinator.utilization.UtilizationSampler(store,
                io.nightshift.coordinator.utilization.UtilizationHistory.open(cfg.dataDir().resolve("utilization.csv"),
                        cfg.utilizationSamples(), cfg.utilizationKept(), Clock.systemUTC().instant()),
                Clock.systemUTC(), cfg.utilizationInterval(), core::pools,
                io.nightshift.coordinator.utilization.PoolUtilizationHistory.open(cfg.dataDir().resolve("pool-utilization.csv"),
                        poolSamples(cfg), cfg.utilizationKept(), Clock.systemUTC().instant()), poolStep(cfg), schedulerClock);
        if (cfg.authInsecure()) {
            this.auth = null;
            this.adminToken = null;
            log.warn("AUTHENTICATION IS OFF ({}=true): anyone who reaches {}:{} is admin and can run any command on every agent",
                    CoordinatorSettings.AUTH_INSECURE.name(), cfg.host(), cfg.port());
        } else {
            this.auth = new Authenticator(new TokenStore(database.dataSource()),
                    new io.nightshift.coordinator.auth.AgentCredentials(database.dataSource()), Clock.systemUTC(), cfg.tokenCache());
            this.adminToken = auth.bootstrap(cfg.dataDir()).orElse(null);
            String issuer = cfg.config().get(SecuritySettings.JWT_ISSUER);
            if (!issuer.isBlank()) {
                auth.jwt(new io.nightshift.coordinator.auth.JwtVerifier(issuer, cfg.config().get(SecuritySettings.JWT_JWKS_URL),
                        cfg.config().get(SecuritySettings.JWT_AUDIENCE), cfg.config().get(SecuritySettings.JWT_ROLES_CLAIM)));
                log.info("accepting JWTs of issuer {} (audience {}, keys from {})", issuer, cfg.config().get(SecuritySettings.JWT_AUDIENCE),
                        cfg.config().get(SecuritySettings.JWT_JWKS_URL));
            }
        }
        io.nightshift.coordinator.auth.SecretStore secrets = new io.nightshift.coordinator.auth.SecretStore(database.dataSource(),
                cfg.secretsKeyFile());
        core.secretValues((jobId, wanted) -> {
            try {
                var resolved = secrets.resolve(wanted);
                if (!resolved.missing().isEmpty())
                    log.warn("job {}: secret(s) {} no longer stored; its task starts without them", jobId, resolved.missing());
                return resolved.values();
            } catch (RuntimeException e) {
                log.error("job {}: cannot resolve its secrets ({}); its task starts without them", jobId, e.getMessage());
                return java.util.Map.of();
            }
        });
        this.leadership = new Leadership(hazelcast, database, Clock.systemUTC(), core::start, this::stepDown,
                cfg.leaderLease(), cfg.leaderRenewInterval(), cfg.leaderQuorum());
        this.api = new HttpApi(vertx, store, core, events, prometheus, cfg.apiWorkers(), version(), new HttpApi.LeaderView() {
            @Override
            public boolean isLeader() {
                return leadership.isLeader();
            }

            @Override
            public String leaderUrl() {
                return leadership.leaderUrl();
            }

            @Override
            public boolean storeReachable() {
                return leadership.storeReachable();
            }

            @Override
            public String steppedDown() {
                return leadership.steppedDown();
            }
        }, auth, cfg.metricsOpen()).secrets(secrets).submitRate(cfg.submitRate(), cfg.submitBurst()).hosts(cfg.host(), cfg.allowedHosts())
                .streamCaps(cfg.maxEventStreams(), cfg.maxEventStreamsPerToken(), cfg.maxLogFollows(), cfg.maxLogFollowsPerToken());
        api.utilization(sampler.history(), cfg.utilizationInterval());
        api.poolUtilization(sampler.poolHistory(), poolStep(cfg));
        // the coordinator's own calls (to agents' log servers, forwarded writes) trust the CA bundle, else the
        // local self-signed certificate (local agents serve with the same pair), else the JDK's CAs
        java.nio.file.Path trusted = cfg.tlsCaFile() != null ? cfg.tlsCaFile()
                : tls != null && cfg.config().get(SecuritySettings.TLS_CERT_FILE) == null ? tls.cert() : null;
        if (trusted != null) api.trust(trusted);
        Router router = api.router();
        this.routePaths = router.getRoutes().stream().map(Route::getPath).filter(p -> p != null && !p.endsWith("*") && (p.equals("/") || !p.endsWith("/"))) // not the catch-alls
                .map(p -> p.replaceAll(":([A-Za-z]+)", "{$1}")).distinct().toList();
        HttpServerOptions serverOptions = new HttpServerOptions();
        if (tls != null) serverOptions.setSsl(true)
                .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(tls.cert().toString()).setKeyPath(tls.key().toString()));
        this.server = vertx.createHttpServer(serverOptions
                        .setHost(cfg.host())
                        .setPort(cfg.port())
                        .setMaxWebSocketMessageSize(4 * 1024 * 1024)
                        .setMaxWebSocketFrameSize(1024 * 1024)
                        .setCompressionSupported(true)
                        .setIdleTimeout((int) cfg.idleTimeout().toSeconds())
                        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS))
                .requestHandler(new io.nightshift.coordinator.http.ConnectionLimit(cfg.maxConnections(), router))
                .listen().toCompletionStage().toCompletableFuture().join();
        String advertised = cfg.host().equals("0.0.0.0") ? "127.0.0.1" : cfg.host();
        this.url = URI.create((tls != null ? "https://" : "http://") + advertised + ":" + server.actualPort());
        leadership.start(url);
        this.compactor = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nightshift-history");
            t.setDaemon(true);
            return t;
        });
        long every = cfg.historyCompactInterval().toMillis();
        compactor.scheduleWithFixedDelay(this::compactHistory, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!leadership.isLeader() && leadership.current() == null && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000); // a lone coordinator leads within milliseconds
        }
        log.info("coordinator {} serving at {} as {} (cluster '{}', data {})", hazelcast.getCluster().getLocalMember().getUuid(),
                url, leadership.isLeader() ? "leader" : "follower", cfg.clusterName(), cfg.dataDir().toAbsolutePath());
    }

    public static Coordinator start(CoordinatorConfig cfg) {
        return new Coordinator(cfg);
    }

    /** The time between two samples of each pool's utilization: {@link io.nightshift.coordinator.utilization.PoolUtilizationHistory#step}. */
    static java.time.Duration poolStep(CoordinatorConfig cfg) {
        return io.nightshift.coordinator.utilization.PoolUtilizationHistory.step(cfg.utilizationInterval(), cfg.utilizationKept());
    }

    private static int poolSamples(CoordinatorConfig cfg) {
        return (int) Math.max(1, cfg.utilizationKept().toMillis() / poolStep(cfg).toMillis());
    }

    /** A coordinator whose scheduling core reads {@code schedulerClock} (for tests of time windows). */
    public static Coordinator start(CoordinatorConfig cfg, Clock schedulerClock) {
        return new Coordinator(cfg, schedulerClock);
    }

    /** Key of the store's identity in the map {@value #STORE_MAP}: every member of a cluster must use the same store. */
    static final String STORE_MAP = "nightshift.store";

    /**
     * A coordinator joins as a lite member (it owns no map partitions, so nothing of the cluster's is
     * written to its store yet) and becomes a data member only when its durable store is the cluster's:
     * several coordinators each on their own SQLite file (or PostgreSQL database) would split the truth,
     * each writing half the partitions to its own file. Refused with a message naming both stores.
     */
    private static void joinOnTheSameStore(HazelcastInstance hz, Database db) {
        String mine = db.storeId();
        boolean othersHoldData = hz.getCluster().getMembers().stream().anyMatch(m -> !m.localMember() && !m.isLiteMember());
        if (!othersHoldData) hz.getCluster().promoteLocalLiteMember();
        com.hazelcast.map.IMap<String, String> ids = hz.getMap(STORE_MAP);
        String theirs = ids.putIfAbsent("id", mine);
        if (theirs != null && !theirs.equals(mine))
            throw new IllegalArgumentException("this coordinator's durable store (" + db.describe() + ", id " + mine
                    + ") is not the one of the coordinators it joined (id " + theirs + "): several coordinators must share one "
                    + "store (the same PostgreSQL database; SQLite only as one file on one machine), or each must form its own "
                    + "cluster (another " + CoordinatorSettings.CLUSTER_NAME.name() + " or no " + CoordinatorSettings.HAZELCAST_MEMBERS.name() + ")");
        if (othersHoldData) hz.getCluster().promoteLocalLiteMember();
    }

    static Config hazelcastConfig(CoordinatorConfig cfg, Database db) {
        Config hc = new Config();
        hc.setLiteMember(true); // until joinOnTheSameStore has checked the store
        hc.setClusterName(cfg.clusterName());
        hc.setInstanceName("nightshift-" + UUID.randomUUID());
        hc.setProperty("hazelcast.phone.home.enabled", "false");
        hc.setProperty("hazelcast.logging.type", "slf4j");
        hc.setProperty("hazelcast.shutdownhook.enabled", "false");
        // a dead leader is noticed within seconds, so another coordinator takes over quickly
        hc.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        hc.setProperty("hazelcast.max.no.heartbeat.seconds", "4");
        // a healed partition merges within seconds, not Hazelcast's 5 minutes: until then each half has its own maps
        String merge = Long.toString(Math.max(1, cfg.mergeDelay().toSeconds()));
        hc.setProperty("hazelcast.merge.first.run.delay.seconds", merge);
        hc.setProperty("hazelcast.merge.next.run.delay.seconds", merge);
        hc.getJetConfig().setEnabled(false);
        // Members only: with the advanced network config and no client endpoint, the member port speaks the
        // member protocol alone (no Hazelcast clients), bound to the configured interface only (no bind-any).
        // Open-source Hazelcast has no member authentication or TLS: see docs/operations.md.
        com.hazelcast.config.AdvancedNetworkConfig net = hc.getAdvancedNetworkConfig().setEnabled(true);
        com.hazelcast.config.ServerSocketEndpointConfig member = new com.hazelcast.config.ServerSocketEndpointConfig();
        member.setPort(cfg.hazelcastPort()).setPortAutoIncrement(true).setPortCount(100);
        member.getInterfaces().setEnabled(true).addInterface(cfg.hazelcastHost());
        net.setMemberEndpointConfig(member);
        hc.setProperty("hazelcast.local.localAddress", cfg.hazelcastHost());
        hc.setProperty("hazelcast.socket.bind.any", "false");
        hc.setProperty("hazelcast.socket.server.bind.any", "false");
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(!cfg.hazelcastMembers().isEmpty()).setMembers(cfg.hazelcastMembers());
        hc.addMapConfig(new MapConfig("nightshift.*").setBackupCount(1));
        // The core's five maps load from the database but do not write through: HazelcastStateStore.saveAll
        // stores a whole turn in one transaction first (Database.saveTurn), then puts it in the maps.
        hc.addMapConfig(durable(HazelcastStateStore.JOBS, Database.loadOnly(db.jobs())));
        hc.addMapConfig(durable(HazelcastStateStore.RUNS, Database.loadOnly(db.runs())));
        hc.addMapConfig(durable(HazelcastStateStore.TASKS, Database.loadOnly(db.tasks())));
        hc.addMapConfig(durable(HazelcastStateStore.AGENTS, Database.loadOnly(db.agents())));
        hc.addMapConfig(durable(HazelcastStateStore.IDEMPOTENCY, Database.loadOnly(db.idempotency())));
        hc.addMapConfig(durable(HazelcastStateStore.RUNTIMES, Database.loadOnly(db.runtimes())));
        // Write-through (not write-behind): a write to these returns only once the database committed it.
        hc.addMapConfig(durable(HazelcastStateStore.QUEUES, db.queues()));
        hc.addMapConfig(durable(HazelcastStateStore.POOLS, db.pools()));
        hc.addMapConfig(durable(HazelcastStateStore.POOL_PROFILES, db.poolProfiles()));
        return hc;
    }

    private static MapConfig durable(String map, Object mapStore) {
        MapStoreConfig store = new MapStoreConfig().setEnabled(true).setImplementation(mapStore)
                .setWriteDelaySeconds(0).setInitialLoadMode(MapStoreConfig.InitialLoadMode.EAGER);
        return new MapConfig(map).setBackupCount(1).setMapStoreConfig(store);
    }

    static String version() {
        String v = Coordinator.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** The leader deletes finished jobs past their retention, off the scheduling thread (they are no longer live). */
    private void compactHistory() {
        if (!leadership.isLeader()) return;
        try {
            java.time.Instant cutoff = java.time.Instant.now().minus(cfg.historyRetention());
            List<String> deleted;
            do {
                deleted = store.compactHistory(cutoff, 500, cfg.eventsKept());
                if (!deleted.isEmpty()) log.info("history: deleted {} finished job(s) older than {}", deleted.size(), cutoff);
            } while (deleted.size() == 500);
        } catch (RuntimeException e) {
            log.warn("history compaction failed: {}", e.toString());
        }
    }

    /**
     * Completes (with the reason) when this coordinator has stepped down: it saw a newer epoch, could not
     * renew its lease in the store, or lost its quorum. It has then stopped scheduling, launching and
     * firing and left the Hazelcast cluster; its HTTP API answers 503 until the owner closes it and starts
     * a fresh coordinator ({@link CoordinatorMain} does).
     */
    public java.util.concurrent.CompletableFuture<String> steppedDown() {
        return steppedDown.copy();
    }

    private final java.util.concurrent.CompletableFuture<String> steppedDown = new java.util.concurrent.CompletableFuture<>();

    private void stepDown(String why) {
        core.stepDown();
        try {
            hazelcast.getLifecycleService().terminate(); // leave at once: the next oldest member leads (backups hold the data)
        } catch (RuntimeException e) {
            log.warn("leaving the cluster after the step-down: {}", e.toString());
        }
        steppedDown.complete(why);
    }

    /** True while this coordinator leads (schedules, takes agents and writes). */
    public boolean isLeader() {
        return leadership.isLeader();
    }

    /** The certificate and key this coordinator serves with; null when it speaks plain http. */
    public io.nightshift.coordinator.tls.SelfSigned.Pair tls() {
        return tls;
    }

    /** How many coordinators (Hazelcast members) this one sees, itself included. */
    public int memberCount() {
        return hazelcast.getCluster().getMembers().size();
    }

    public URI url() {
        return url;
    }

    /** Where this coordinator's Hazelcast member listens (for other coordinators only). */
    public java.net.InetSocketAddress hazelcastAddress() {
        var a = hazelcast.getCluster().getLocalMember().getAddress();
        return new java.net.InetSocketAddress(a.getHost(), a.getPort());
    }

    public int port() {
        return server.actualPort();
    }

    /** Paths of the routes this coordinator serves (OpenAPI style, {@code {id}}), without static assets. */
    public List<String> routePaths() {
        return routePaths;
    }

    /**
     * The admin token in {@code <dataDir>/admin.token} (written on the cluster's first start), or null
     * when there is none or auth is off. Tests and local mode hand it to their clients.
     */
    public String adminToken() {
        return adminToken;
    }

    /** Token checks and the token store; null when auth is off. */
    public Authenticator auth() {
        return auth;
    }

    /** What each route needs of a token ("GET /v1/jobs/{id}" → need), for the route-by-route auth test. */
    public java.util.Map<String, io.nightshift.coordinator.http.Need> routeNeeds() {
        return api.needs();
    }

    public CoordinatorConfig config() {
        return cfg;
    }

    @Override
    public void close() {
        log.info("coordinator at {} stopping", url);
        try {
            server.close().toCompletionStage().toCompletableFuture().join();
        } catch (RuntimeException e) {
            log.debug("http server close: {}", e.getMessage());
        }
        leadership.stop();
        loopProbe.close();
        if (compactor != null) compactor.shutdownNow();
        sampler.close();
        api.close();
        core.close();
        leadership.release();
        vertx.close().toCompletionStage().toCompletableFuture().join();
        store.close();
        hazelcast.shutdown();
        database.close();
    }
}
