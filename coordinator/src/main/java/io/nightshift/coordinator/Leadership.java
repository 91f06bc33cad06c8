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
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which coordinator leads. Hazelcast's CP subsystem (fenced locks) is Enterprise-only since 5.5, so
 * the rule is the member list's: the oldest member of the cluster leads, and every member agrees on
 * it without a vote. The leader takes a new fencing epoch from the durable store (an atomic
 * increment), publishes its URL in the map {@code nightshift.leader}, and only then starts
 * scheduling; agents ignore launches and kills of an older epoch, so a paused or partitioned old
 * leader cannot act. Once a member leads it leads until it stops (leadership never moves to a member
 * that is alive and younger than it).
 */
final class Leadership implements MembershipListener {
    private static final Logger log = LoggerFactory.getLogger(Leadership.class);
    static final String MAP = "nightshift.leader";

    /** What the leader publishes. */
    record Leader(String member, String url, long epoch, Instant since) {
    }

    private final HazelcastInstance hz;
    private final Database database;
    private final Clock clock;
    private final LongConsumer onLead;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "nightshift-leadership");
        t.setDaemon(true);
        return t;
    });
    private volatile URI url;
    private volatile boolean leader;
    private volatile long epoch;

    Leadership(HazelcastInstance hz, Database database, Clock clock, LongConsumer onLead) {
        this.hz = hz;
        this.database = database;
        this.clock = clock;
        this.onLead = onLead;
    }

    /** Starts watching the member list; leads at once when this is the oldest member. */
    void start(URI url) {
        this.url = url;
        hz.getCluster().addMembershipListener(this);
        worker.execute(this::check);
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
        if (leader) return;
        Iterator<Member> members = hz.getCluster().getMembers().iterator();
        if (!members.hasNext() || !members.next().localMember()) {
            Leader l = current();
            log.info("coordinator {} follows{}", hz.getCluster().getLocalMember().getAddress(),
                    l == null ? "" : " the leader at " + l.url() + " (epoch " + l.epoch() + ")");
            return;
        }
        String me = hz.getCluster().getLocalMember().getUuid().toString();
        long e = database.acquireEpoch(me, clock.instant());
        epoch = e;
        onLead.accept(e); // recovers the working set before anything is accepted as leader
        leader = true;
        leaderMap().set("leader", new HazelcastJsonValue(Json.write(new Leader(me, url.toString(), e, clock.instant()))));
        log.info("coordinator {} at {} leads with epoch {}", me, url, e);
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

    /** The published leader, or null when none has published yet. */
    Leader current() {
        HazelcastJsonValue v = leaderMap().get("leader");
        return v == null ? null : Json.read(v.getValue(), Leader.class);
    }

    /** The leader's URL when another member leads, else null. */
    String leaderUrl() {
        if (leader) return null;
        Leader l = current();
        return l == null ? null : l.url();
    }

    void stop() {
        worker.shutdownNow();
    }
}
