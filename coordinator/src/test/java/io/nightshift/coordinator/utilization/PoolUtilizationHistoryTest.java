package io.nightshift.coordinator.utilization;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.Resources;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.OwnerLoad;
import io.nightshift.api.pool.PoolSpecParser;
import io.nightshift.coordinator.utilization.PoolUtilizationHistory.Sample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolUtilizationHistoryTest {
    private static final Instant T0 = Instant.parse("2026-12-01T20:00:00Z");

    private static Sample at(int second, double usedCpus) {
        Resources used = Resources.of(usedCpus, (long) (usedCpus * 1000));
        Resources total = Resources.of(8, 8000);
        return new Sample(T0.plusSeconds(second), 2, second % 20 == 0, total, used, Resources.of(1, 1000),
                total.minus(used), Resources.of(0.5, 500));
    }

    @Test
    void keepsEachPoolsSeriesBoundedAndApart() {
        PoolUtilizationHistory h = PoolUtilizationHistory.inMemory(3, Duration.ofHours(1));
        for (int i = 0; i < 5; i++) {
            h.add("a", at(i * 10, i));
            h.add("b", at(i * 10, 7));
        }
        assertThat(h.since("a", T0.minusSeconds(1), 100)).extracting(s -> s.used().cpus()).containsExactly(2.0, 3.0, 4.0);
        assertThat(h.since("b", T0.minusSeconds(1), 100)).extracting(s -> s.used().cpus()).containsExactly(7.0, 7.0, 7.0);
        assertThat(h.since("c", T0.minusSeconds(1), 100)).isEmpty();
        h.add("a", at(5, 9)); // older than the newest: ignored
        assertThat(h.size("a")).isEqualTo(3);
        h.add("Not A Pool,x", at(100, 1)); // cannot be a pool name: never reaches the CSV
        assertThat(h.pools()).isEqualTo(2);
    }

    @Test
    void holdsAtMostMaxPoolsDroppingTheSeriesSampledLongestAgo() {
        PoolUtilizationHistory h = PoolUtilizationHistory.inMemory(10, Duration.ofHours(1));
        for (int p = 0; p <= PoolUtilizationHistory.MAX_POOLS; p++) h.add("p" + p, at(p, 1));
        assertThat(h.pools()).isEqualTo(PoolUtilizationHistory.MAX_POOLS);
        assertThat(h.size("p0")).isZero();
        assertThat(h.size("p" + PoolUtilizationHistory.MAX_POOLS)).isEqualTo(1);
    }

    @Test
    void mergesIntoBucketsWhenMorePointsThanAsked() {
        PoolUtilizationHistory h = PoolUtilizationHistory.inMemory(100, Duration.ofHours(1));
        for (int i = 0; i < 10; i++) h.add("a", at(i * 10 + 1, i)); // lending at none of them ...
        h.add("a", at(120, 10)); // ... but this one
        List<Sample> s = h.since("a", T0, 3);
        assertThat(s).hasSize(3);
        assertThat(s.get(0).used().cpus()).isEqualTo(1.5); // mean of 0..3
        assertThat(s.get(0).at()).isEqualTo(T0.plusSeconds(31));
        assertThat(s).extracting(Sample::lending).containsExactly(false, false, true);
    }

    @Test
    void survivesAReopenSkippingTornAndForeignLinesAndOldSamples(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pool-utilization.csv");
        PoolUtilizationHistory h = PoolUtilizationHistory.open(file, 1000, Duration.ofMinutes(5), T0);
        for (int i = 0; i < 10; i++) h.add("a", at(i * 60, i));
        h.add("b", at(540, 3));
        h.close();
        Files.writeString(file, "not,a,sample\n17338,a,1,1,8,8000\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        PoolUtilizationHistory reopened = PoolUtilizationHistory.open(file, 1000, Duration.ofMinutes(5), T0.plusSeconds(9 * 60));
        // kept 5 minutes: the samples of minutes 5..9 remain, with every field as written
        assertThat(reopened.since("a", T0, 100)).extracting(s -> s.used().cpus()).containsExactly(5.0, 6.0, 7.0, 8.0, 9.0);
        assertThat(reopened.since("a", T0, 100).get(0)).isEqualTo(at(300, 5));
        assertThat(reopened.since("b", T0, 100)).containsExactly(at(540, 3));
        assertThat(Files.readAllLines(file)).hasSize(6); // rewritten without the old and torn lines
    }

    @Test
    void theStepKeepsADayWithinTheBound() {
        assertThat(PoolUtilizationHistory.step(Duration.ofSeconds(10), Duration.ofHours(24))).isEqualTo(Duration.ofSeconds(20));
        assertThat(PoolUtilizationHistory.step(Duration.ofSeconds(1), Duration.ofHours(1))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aPoolsSampleSumsItsActiveAgentsAndLendsTheReservationTheOwnersDoNotUseInsideAWindow() {
        var pool = PoolSpecParser.parse("""
                {"reservation":{"cpus":4,"memMb":4096},"headroom":{"cpuPercent":25,"memMb":1024},
                 "windows":[{"name":"night","zone":"UTC","ranges":[{"from":"22:00","to":"06:00"}]}]}""".getBytes(StandardCharsets.UTF_8), "office");
        OwnerLoad load = new OwnerLoad(1, 1024, 1, 1024);
        AgentInfo a1 = agent("a1", "office", AgentInfo.AgentStatus.ACTIVE, load);
        AgentInfo a2 = agent("a2", "office", AgentInfo.AgentStatus.ACTIVE, load);
        AgentInfo lost = agent("a3", "office", AgentInfo.AgentStatus.LOST, load);
        AgentInfo other = agent("a4", "elsewhere", AgentInfo.AgentStatus.ACTIVE, load);
        List<AgentInfo> agents = List.of(a1, a2, lost, other);

        Instant day = Instant.parse("2026-12-01T12:00:00Z");
        Map<String, Sample> byDay = UtilizationSampler.poolSamples(agents, List.of(pool), day, day);
        Sample d = byDay.get("office");
        assertThat(d.agents()).isEqualTo(2);
        assertThat(d.lending()).isFalse();
        assertThat(d.total()).isEqualTo(Resources.of(16, 16384));
        assertThat(d.used()).isEqualTo(Resources.of(2, 2048));
        assertThat(d.owners()).isEqualTo(Resources.of(8, 8192)); // the reservation, above the owners' load
        assertThat(d.idle()).isEqualTo(Resources.of(16 - 2 - 8 - 4, 16384 - 2048 - 8192 - 2048)); // headroom 2 cpus, 1 GiB each
        assertThat(d.lent()).isEqualTo(Resources.ZERO);

        Instant night = Instant.parse("2026-12-01T23:00:00Z");
        Sample n = UtilizationSampler.poolSamples(agents, List.of(pool), day, night).get("office");
        assertThat(n.at()).isEqualTo(day); // the sample's time is the real clock's; the windows follow the scheduler's
        assertThat(n.lending()).isTrue();
        assertThat(n.owners()).isEqualTo(Resources.of(2, 2048)); // their load only
        assertThat(n.lent()).isEqualTo(Resources.of(6, 6144)); // reservation 4 - load 1 on each machine
        assertThat(n.idle()).isEqualTo(Resources.of(16 - 2 - 2 - 4, 16384 - 2048 - 2048 - 2048));
    }

    @Test
    void aPoolsIdleCapacityFollowsItsWindowNowNotTheAgentsLastReport() {
        var pool = PoolSpecParser.parse("""
                {"reservation":{"cpus":8,"memMb":4096},
                 "windows":[{"name":"night","zone":"UTC","ranges":[{"from":"22:00","to":"06:00"}]}]}""".getBytes(StandardCharsets.UTF_8), "office");
        OwnerLoad load = new OwnerLoad(1, 1024, 1, 1024);
        // the agent last reported at 21:59:59, when the owners still held all 8 cpus: idle 0 then
        AgentInfo reported = agent("a1", "office", AgentInfo.AgentStatus.ACTIVE, load).withOwnerLoad(load, Resources.of(0, 4096));
        Instant open = Instant.parse("2026-12-01T22:00:01Z");
        Sample s = UtilizationSampler.poolSample(pool, List.of(reported), open, open);
        assertThat(s.lending()).isTrue();
        assertThat(s.owners()).isEqualTo(Resources.of(1, 1024));
        assertThat(s.idle()).isEqualTo(Resources.of(8 - 1 - 1, 8192 - 1024 - 1024)); // total - allocated - owners' load
    }

    private static AgentInfo agent(String id, String pool, AgentInfo.AgentStatus status, OwnerLoad load) {
        return new AgentInfo(1, id, "h", "http://h", status, Resources.of(8, 8192), Resources.of(1, 1024), Map.of("pool", pool),
                "none", "1", T0, T0).withOwnerLoad(load, null);
    }
}
