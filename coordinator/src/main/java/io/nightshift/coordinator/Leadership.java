package io.nightshift.coordinator;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import io.nightshift.api.json.Json;
import io.nightshift.coordinator.state.jdbc.Database;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which coordinator leads, and for how long it may. Hazelcast's CP subsystem (fenced locks) is
 * Enterprise-only since 5.5, so the rule is the member list's: the oldest member of the cluster leads
 * when the cluster has at least {@code quorum} members, and every member agrees on it without a vote.
 *
 * <pre>
 *  follower ──oldest, quorum──▶ takes epoch N+1 in the store ──waits out the last lease──▶ leader
 *  leader ──renewal finds epoch &gt; N, or no renewal for one lease, or below quorum──▶ stepped down (final)
 * </pre>
 *
 * The leader takes a new fencing epoch from the durable store (an atomic increment), waits until the
 * previous leader's lease has run out (unless it released it on a clean stop), publishes its URL in the
 * map {@code nightshift.leader}, and only then acts. It renews its lease in the store every
 * {@code renewInterval}; a renewal that finds a newer epoch, a lease not renewed for {@code lease}
 * (measured on this JVM's monotonic clock from the start of the last good renewal, so the store's
 * clock does not matter), or a cluster below quorum makes it step down at once. Agents ignore launches
 * and kills of an older epoch besides. So two leaders never act at once: the old one stops at most one
 * lease after its last renewal, which started before the new epoch was taken, and the new one waits a
 * lease (plus a margin) after taking it.
 *
 * <p>Stepping down is final for this member: the coordinator stops its core and leaves the cluster
 * (see {@link Coordinator#steppedDown()}), and whoever runs it starts a fresh one, which recovers from
 * the store like any new follower. Not thread-confined: the member list checks and renewals run on one
 * thread, the lease watchdog on another; the flags are volatile.
 */
final class Leadership implements MembershipListener {
    private static final Logger log = LoggerFactory.getLogger(Leadership.class);
    static final String MAP = "nightshift.leader";
    /** Added to the lease a new leader waits out: covers the watchdog's period and a turn in flight. */
    static final Duration MARGIN = Duration.ofMillis(500);

    /** What the leader publishes. */
    record Leader(String member, String url, long epoch, Instant since) {
    }

    private final HazelcastInstance hz;
    private final Database database;
    private final Clock clock;
    private final LongConsumer onLead;
    private final Consumer<String> onStepDown;
    private final Duration lease;
    private final Duration renewInterval;
    private final int quorum;
    private final LongSupplier nanos;
    private final ScheduledExecutorService worker = daemon("nightshift-leadership");
    private final ScheduledExecutorService watchdog = daemon("nightshift-lease-watchdog");
    private volatile URI url;
    private volatile boolean leader;
    private volatile String steppedDown;
    private volatile long epoch;
    /** {@link System#nanoTime} at the start of the last renewal the store accepted (leader only). */
    private volatile long renewedAt;
    /** {@link System#nanoTime} at the start of the store call in flight, 0 when none is. */
    private volatile long callSince;
    /** The last store call failed (and none succeeded since). */
    private volatile boolean storeFailing;

    Leadership(HazelcastInstance hz, Database database, Clock clock, LongConsumer onLead, Consumer<String> onStepDown,
               Duration lease, Duration renewInterval, int quorum) {
        this.hz = hz;
        this.database = database;
        this.clock = clock;
        this.onLead = onLead;
        this.onStepDown = onStepDown;
        this.lease = lease;
        this.renewInterval = renewInterval;
        this.quorum = quorum;
        this.nanos = System::nanoTime;
    }

    private static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts watching the member list; leads at once when this is the oldest member (and the last lease is released). */
    void start(URI url) {
        this.url = url;
        hz.getCluster().addMembershipListener(this);
        worker.execute(this::check);
        long every = renewInterval.toMillis();
        worker.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
        long tick = Math.max(10, Math.min(100, lease.toMillis() / 10));
        watchdog.scheduleWithFixedDelay(this::watch, tick, tick, TimeUnit.MILLISECONDS);
    }

    @Override
    public void memberAdded(MembershipEvent e) {
        worker.execute(this::check);
    }

    @Override
    public void memberRemoved(MembershipEvent e) {
        log.info("coordinator member {} left the cluster", e.getMember().getAddress());
        worker.execute(this::check);
    }

    private void check() {
        if (steppedDown != null) return;
        try {
            Set<Member> all = hz.getCluster().getMembers();
            if (leader) {
                if (all.size() < quorum) stepDown("it sees " + all.size() + " coordinator(s), fewer than the quorum of " + quorum);
                return;
            }
            Iterator<Member> members = all.iterator();
            if (!members.hasNext() || !members.next().localMember()) {
                Leader l = current();
                log.info("coordinator {} follows{}", hz.getCluster().getLocalMember().getAddress(),
                        l == null ? "" : " the leader at " + l.url() + " (epoch " + l.epoch() + ")");
                return;
            }
            if (all.size() < quorum) {
                log.warn("coordinator {} is the oldest but sees {} coordinator(s), fewer than the quorum of {}: it does not lead",
                        hz.getCluster().getLocalMember().getAddress(), all.size(), quorum);
                return;
            }
            lead();
        } catch (RuntimeException e) {
            if (steppedDown != null || !hz.getLifecycleService().isRunning()) return;
            log.error("leadership check failed ({}); trying again in {}", e.toString(), renewInterval);
            worker.schedule(this::check, renewInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void lead() {
        String me = hz.getCluster().getLocalMember().getUuid().toString();
        Database.Lease taken = database.takeEpoch(me, clock.instant());
        long e = taken.epoch();
        if (taken.holder() != null) { // the last leader did not release its lease: it may still act until it runs out
            Duration wait = lease.plus(MARGIN);
            log.info("coordinator {} took epoch {}; waits {} ms for the lease of epoch {} (held by {}) to run out",
                    me, e, wait.toMillis(), e - 1, taken.holder());
            sleep(wait);
        }
        long started = nanos.getAsLong();
        if (!database.epochActing(e, url.toString(), clock.instant())) { // renews the lease and records since when it acts
            log.warn("coordinator {}: epoch {} was taken over while it waited; it follows", me, e);
            return;
        }
        renewedAt = started;
        epoch = e;
        if (steppedDown != null) return;
        onLead.accept(e); // recovers the working set before anything is accepted as leader
        leader = true;
        leaderMap().set("leader", new HazelcastJsonValue(Json.write(new Leader(me, url.toString(), e, clock.instant()))));
        log.info("coordinator {} at {} leads with epoch {}", me, url, e);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the last lease", ie);
        }
    }

    /** Renews the lease (leader) or checks the store is reachable (follower). Worker thread. */
    private void renew() {
        if (steppedDown != null) return;
        long started = nanos.getAsLong();
        callSince = started;
        try {
            if (leader) {
                long e = epoch;
                if (!database.renewLease(e, clock.instant())) {
                    stepDown("another coordinator took a newer epoch than its " + e + " (store epoch " + database.currentEpoch() + ")");
                    return;
                }
                renewedAt = started;
            } else {
                database.currentEpoch();
            }
            if (storeFailing) log.info("the durable store answers again");
            storeFailing = false;
        } catch (RuntimeException e) {
            if (!storeFailing) log.error("cannot reach the durable store ({}): {}", database.describe(), e.toString());
            storeFailing = true;
        } finally {
            callSince = 0;
        }
    }

    /** Steps down a leader whose lease ran out. Watchdog thread: runs even while a renewal hangs on the store. */
    private void watch() {
        if (!leader) return;
        long age = nanos.getAsLong() - renewedAt;
        if (age > lease.toNanos())
            stepDown("it could not renew its lease in the store for " + TimeUnit.NANOSECONDS.toMillis(age) + " ms (lease " + lease.toMillis() + " ms)");
    }

    /** Stops leading for good: the flags first (the HTTP API and the watchdog read them), then the owner's step-down. */
    private synchronized void stepDown(String why) {
        if (steppedDown != null) return;
        boolean was = leader;
        leader = false;
        steppedDown = why;
        log.error("coordinator at {} steps down{}: {}", url, was ? " as leader of epoch " + epoch : "", why);
        long ended = epoch;
        Thread t = new Thread(() -> {
            onStepDown.accept(why); // first: recording the end may hang on a store that was cut
            if (was) recordEnded(ended, why); // best effort: the next epoch bounds it otherwise
        }, "nightshift-step-down");
        t.setDaemon(true);
        t.start();
    }

    /** Writes the end of {@code e} in {@code ns_epochs}; a store that cannot be reached leaves it open (the next epoch bounds it). */
    private void recordEnded(long e, String why) {
        try {
            database.epochEnded(e, clock.instant(), why);
        } catch (RuntimeException ex) {
            log.warn("could not record the end of epoch {} in the store: {}", e, ex.toString());
        }
    }

    private IMap<String, HazelcastJsonValue> leaderMap() {
        return hz.getMap(MAP);
    }

    boolean isLeader() {
        return leader;
    }

    long epoch() {
        return epoch;
    }

    /** Why this coordinator stepped down, or null while it has not. */
    String steppedDown() {
        return steppedDown;
    }

    /**
     * False when the last store call (renewal, or a follower's epoch read) failed, or one has hung for longer
     * than the lease: writes would not be made durable. A slow call that succeeds does not count (a loaded
     * store is not a cut one).
     */
    boolean storeReachable() {
        long since = callSince;
        return !storeFailing && (since == 0 || nanos.getAsLong() - since <= lease.toNanos());
    }

    /** The published leader, or null when none has published yet. */
    Leader current() {
        HazelcastJsonValue v = leaderMap().get("leader");
        return v == null ? null : Json.read(v.getValue(), Leader.class);
    }

    /** The leader's URL when another member leads, else null. */
    String leaderUrl() {
        if (leader || steppedDown != null) return null;
        Leader l = current();
        return l == null ? null : l.url();
    }

    /** Stops the checks and renewals (the lease is kept until {@link #release}). */
    void stop() {
        worker.shutdownNow();
        watchdog.shutdownNow();
    }

    /** After the core stopped: gives the lease up so the next leader need not wait for it. */
    void release() {
        if (!leader) return;
        leader = false;
        try {
            database.releaseLease(epoch);
            log.info("coordinator at {} released the lease of epoch {}", url, epoch);
            recordEnded(epoch, "released its lease (clean stop)");
        } catch (RuntimeException e) {
            log.warn("could not release the lease of epoch {} ({}); the next leader waits for it to run out", epoch, e.toString());
        }
    }
}
