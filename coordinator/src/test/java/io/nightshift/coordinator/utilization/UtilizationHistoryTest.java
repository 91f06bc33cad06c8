package io.nightshift.coordinator.utilization;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.Resources;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.coordinator.utilization.UtilizationHistory.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UtilizationHistoryTest {
    private static final Instant T0 = Instant.parse("2026-12-01T20:00:00Z");

    private static Sample at(int second, double usedCpus, double totalCpus) {
        return new Sample(T0.plusSeconds(second), Resources.of(usedCpus, (long) (usedCpus * 1000)),
                Resources.of(totalCpus, (long) (totalCpus * 1000)), 1);
    }

    @Test
    void keepsAtMostItsCapacityDroppingTheOldestFirst() {
        UtilizationHistory h = UtilizationHistory.inMemory(3, Duration.ofHours(1));
        for (int i = 0; i < 5; i++) h.add(at(i * 10, i, 8));
        assertThat(h.size()).isEqualTo(3);
        assertThat(h.since(T0.minusSeconds(1), 100)).extracting(s -> s.used().cpus()).containsExactly(2.0, 3.0, 4.0);
    }

    @Test
    void answersOnlySamplesAfterTheGivenInstant() {
        UtilizationHistory h = UtilizationHistory.inMemory(100, Duration.ofHours(1));
        for (int i = 0; i < 10; i++) h.add(at(i * 10, i, 8));
        assertThat(h.since(T0.plusSeconds(65), 100)).extracting(Sample::at)
                .containsExactly(T0.plusSeconds(70), T0.plusSeconds(80), T0.plusSeconds(90));
    }

    @Test
    void mergesConsecutiveSamplesIntoBucketsWhenAskedForFewerPoints() {
        UtilizationHistory h = UtilizationHistory.inMemory(100, Duration.ofHours(1));
        for (int i = 0; i < 6; i++) h.add(at(i * 10, i, 8)); // used cpus 0..5
        List<Sample> two = h.since(T0.minusSeconds(1), 2);
        // buckets {0,1,2} and {3,4,5}: means 1 and 4, each stamped with its last sample's time
        assertThat(two).extracting(s -> s.used().cpus()).containsExactly(1.0, 4.0);
        assertThat(two).extracting(Sample::at).containsExactly(T0.plusSeconds(20), T0.plusSeconds(50));
        assertThat(two).extracting(s -> s.total().cpus()).containsExactly(8.0, 8.0);
    }

    @Test
    void ignoresASampleNotNewerThanTheLastOne() {
        UtilizationHistory h = UtilizationHistory.inMemory(100, Duration.ofHours(1));
        h.add(at(10, 1, 8));
        h.add(at(10, 2, 8));
        h.add(at(5, 3, 8));
        assertThat(h.size()).isEqualTo(1);
    }

    @Test
    void survivesAReopenKeepingOnlySamplesWithinTheKeptDurationAndSkippingATornLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("utilization.csv");
        UtilizationHistory h = UtilizationHistory.open(file, 1000, Duration.ofMinutes(5), T0);
        for (int i = 0; i < 10; i++) h.add(at(i * 60, i, 8)); // minute 0..9
        h.close();
        Files.writeString(file, "1764619200", java.nio.file.StandardOpenOption.APPEND); // a crash mid-line

        UtilizationHistory reopened = UtilizationHistory.open(file, 1000, Duration.ofMinutes(5), T0.plusSeconds(9 * 60));
        // kept 5 minutes back from minute 9: minutes 5..9 (minute 4 is exactly at the cutoff, not after it)
        assertThat(reopened.since(T0.minusSeconds(1), 100)).extracting(s -> s.used().cpus())
                .containsExactly(5.0, 6.0, 7.0, 8.0, 9.0);
        assertThat(Files.readAllLines(file)).hasSize(5);
    }

    @Test
    void theFileNeverGrowsPastTwiceTheCapacity(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("utilization.csv");
        UtilizationHistory h = UtilizationHistory.open(file, 10, Duration.ofDays(1), T0);
        for (int i = 0; i < 95; i++) h.add(at(i, i % 8, 8));
        h.close();
        assertThat(Files.readAllLines(file).size()).isBetween(10, 20);
        assertThat(UtilizationHistory.open(file, 10, Duration.ofDays(1), T0.plusSeconds(95)).size()).isEqualTo(10);
    }

    @Test
    void aSampleSumsActiveAgentsOnly() {
        AgentInfo active = agent("a", AgentInfo.AgentStatus.ACTIVE, 4, 4096, 1.5, 512);
        AgentInfo other = agent("b", AgentInfo.AgentStatus.ACTIVE, 2, 2048, 0.5, 256);
        AgentInfo lost = agent("c", AgentInfo.AgentStatus.LOST, 16, 16384, 8, 8192);
        Sample s = UtilizationSampler.sample(List.of(active, other, lost), T0);
        assertThat(s.used()).isEqualTo(Resources.of(2, 768));
        assertThat(s.total()).isEqualTo(Resources.of(6, 6144));
        assertThat(s.agents()).isEqualTo(2);
    }

    private static AgentInfo agent(String id, AgentInfo.AgentStatus status, double cpus, long mem, double usedCpus, long usedMem) {
        return new AgentInfo(1, id, id, null, status, Resources.of(cpus, mem), Resources.of(usedCpus, usedMem), null, null, null, T0, T0);
    }
}
