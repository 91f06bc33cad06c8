package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.Resources;
import io.nightshift.api.client.QueueView;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.model.AgentInfo;
import io.nightshift.api.model.PendingReason;
import io.nightshift.api.queue.QueueSpec;
import io.nightshift.api.queue.QueueSpecParser;
import io.nightshift.api.state.JobState;
import io.nightshift.api.state.TaskState;
import java.time.Duration;
import io.nightshift.api.model.Attempt;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViewsTest {

    @Test
    void aRunningSparkDriverShowsItsAppIdAndUiUrlAndAFinishedOneItsAppIdOnly() {
        Attempt running = Fixtures.attempt("etl.r1.0", 1, TaskState.RUNNING, null)
                .withApp(io.nightshift.api.model.AppInfo.spark("local-1764646800000", "http://host-1:4040"));
        assertThat(Views.jobDetail(Fixtures.detail("etl", JobState.RUNNING, running), ZoneOffset.UTC))
                .contains("\n  spark etl.r1.0 attempt 1: app local-1764646800000  UI http://host-1:4040\n");
        Attempt done = Fixtures.attempt("etl.r1.0", 1, TaskState.FINISHED, 0)
                .withApp(io.nightshift.api.model.AppInfo.spark("local-1764646800000", "http://host-1:4040"));
        assertThat(Views.jobDetail(Fixtures.detail("etl", JobState.SUCCEEDED, done), ZoneOffset.UTC))
                .contains("\n  spark etl.r1.0 attempt 1: app local-1764646800000\n").doesNotContain("4040");
        Attempt mr = Fixtures.attempt("wc.r1.0", 1, TaskState.RUNNING, null)
                .withApp(io.nightshift.api.model.AppInfo.hadoop("job_local1_0001"));
        assertThat(Views.jobDetail(Fixtures.detail("wc", JobState.RUNNING, mr), ZoneOffset.UTC))
                .contains("\n  hadoop wc.r1.0 attempt 1: job job_local1_0001\n");
    }

    @Test
    void aJobShowsEachAttemptWithAgentExitCodeAndReason() {
        String text = Views.jobDetail(Fixtures.detail("fails", JobState.FAILED,
                Fixtures.attempt("fails.r1.0", 1, TaskState.FAILED, 3),
                Fixtures.attempt("fails.r1.0", 2, TaskState.FAILED, 3)), ZoneOffset.UTC);

        assertThat(text).isEqualTo("""
                Job        fails
                Name       Say hello
                State      FAILED (EXIT_CODE)
                Queue      default
                Type       command
                Resources  0.5 cpus, 128 MiB
                Submitted  2025-03-01 09:00:00
                Finished   2025-03-01 09:00:02

                Run fails.r1  FAILED  created 2025-03-01 09:00:00  finished 2025-03-01 09:00:02
                  TASK        ATTEMPT  STATE   AGENT    HOST    EXIT  REASON     STARTED   FINISHED  MESSAGE
                  fails.r1.0        1  FAILED  agent-1  host-1     3  EXIT_CODE  09:00:01  09:00:02  exited with code 3
                  fails.r1.0        2  FAILED  agent-1  host-1     3  EXIT_CODE  09:00:02  09:00:03  exited with code 3
                """);
    }

    @Test
    void aPendingJobSaysWhyItWaits() {
        String text = Views.jobDetail(Fixtures.pending("big",
                PendingReason.shortOf("insufficient.cpus", PendingReason.Kind.DYNAMIC, 2, "cpus", 64, 2, "cpus: asked 64, largest free 2"),
                PendingReason.of("no.agents", PendingReason.Kind.DYNAMIC, 0, null)), ZoneOffset.UTC);

        assertThat(text).contains(
                "  TASK      ATTEMPT  STATE    AGENT  HOST  EXIT  REASON  STARTED  FINISHED  MESSAGE\n"
                + "  big.r1.0        -  PENDING  -      -        -  -       -        -         waiting for a placement\n");
        assertThat(text).endsWith("""
                Pending: 1 task waiting
                  cpus: asked 64, largest free 2
                  no.agents
                """);
    }

    @Test
    void anUnschedulableJobSaysWhyItGaveUp() {
        io.nightshift.api.model.JobDetail d = Fixtures.pending("big", PendingReason.of("pending.timeout", PendingReason.Kind.STATIC, 0, "waited unplaced for 15m, its pendingTimeout"),
                PendingReason.shortOf("insufficient.cpus", PendingReason.Kind.STATIC, 2, "cpus", 64, 16, "asks 64 cpus; the largest agent has 16 in total"));
        io.nightshift.api.model.Job failed = d.job().withState(io.nightshift.api.state.JobState.FAILED, io.nightshift.api.state.Reason.UNSCHEDULABLE,
                d.job().submittedAt().plusSeconds(900));

        String text = Views.jobDetail(new io.nightshift.api.model.JobDetail(failed, d.runs(), d.pending()), ZoneOffset.UTC);

        assertThat(text).endsWith("""
                Unschedulable: 1 task(s) waited too long
                  waited unplaced for 15m, its pendingTimeout
                  asks 64 cpus; the largest agent has 16 in total
                """);
    }

    @Test
    void agentsShowFreeOverTotal() {
        AgentInfo shared = Fixtures.agent("a2", 16, 65536, 0, 0);
        shared = new AgentInfo(1, "a2", "host-a2", null, AgentInfo.AgentStatus.ACTIVE, shared.total(), shared.allocated(),
                java.util.Map.of("pool", "office"), "session+env-scan", "0.1.0", null, null,
                new io.nightshift.api.model.OwnerLoad(3.5, 20000, 4, 21000), Resources.of(9.3, 41440));
        String text = Views.agentsTable(List.of(Fixtures.agent("a1", 4, 8192, 1.5, 1024), shared));

        assertThat(text).isEqualTo("""
                ID  HOST     STATUS  POOL    CPUS FREE/TOTAL  MEM MiB FREE/TOTAL  OWNER CPUS/MiB  IDLE CPUS/MiB  ISOLATION
                a1  host-a1  ACTIVE  -                 2.5/4           7168/8192               -              -  session+env-scan
                a2  host-a2  ACTIVE  office            16/16         65536/65536       3.5/20000      9.3/41440  session+env-scan
                """);
    }

    @Test
    void aPendingJobShowsWhenItIsExpectedToStartNextToWhyItWaits() {
        Instant now = Instant.parse("2025-03-01T10:00:00Z");
        String text = Views.jobDetail(Fixtures.pending("big",
                PendingReason.shortOf("insufficient.cpus", PendingReason.Kind.DYNAMIC, 2, "cpus", 8, 2, "cpus: asked 8, largest free 2")),
                Instant.parse("2025-03-01T10:05:30Z"), now, ZoneOffset.UTC);

        assertThat(text).endsWith("""
                Pending: 1 task waiting, expected to start 2025-03-01 10:05:30 (in 5m 30s)
                  cpus: asked 8, largest free 2
                """);
    }

    @Test
    void aReservedJobSaysFromWhenAndOnWhichAgents() {
        Instant now = Instant.parse("2025-03-01T02:00:00Z");
        Instant start = Instant.parse("2025-03-01T02:10:00Z");
        JobDetail d = Fixtures.pending("train", PendingReason.of("gang.incomplete", PendingReason.Kind.DYNAMIC, 0, "gang train: 2 of 4 instances fit"));
        d = new JobDetail(d.job(), d.runs(), new JobDetail.Pending(d.pending().tasks(), d.pending().reasons(), start,
                new JobDetail.Reservation(start, 4, List.of("a1", "a2", "a3", "a4"))));

        assertThat(Views.jobDetail(d, start, now, ZoneOffset.UTC)).endsWith("""
                Pending: 1 task waiting, expected to start 2025-03-01 02:10:00 (in 10m)
                  reserved from 2025-03-01 02:10:00 (in 10m) on 4 agents (a1, a2, a3, a4)
                  gang train: 2 of 4 instances fit
                """);
    }

    @Test
    void anEtaAlreadyPassedIsShownWithoutADistance() {
        Instant now = Instant.parse("2025-03-01T10:00:00Z");

        assertThat(Views.jobDetail(Fixtures.pending("big"), now.minusSeconds(5), now, ZoneOffset.UTC))
                .endsWith("Pending: 1 task waiting, expected to start 2025-03-01 09:59:55\n");
    }

    @Test
    void durationsShowTheirTwoLargestUnits() {
        assertThat(Views.duration(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(Views.duration(Duration.ofSeconds(300))).isEqualTo("5m");
        assertThat(Views.duration(Duration.ofSeconds(3900))).isEqualTo("1h 5m");
        assertThat(Views.duration(Duration.ofHours(51))).isEqualTo("2d 3h");
        assertThat(Views.duration(Duration.ofSeconds(-3))).isEqualTo("0s");
    }

    @Test
    void queuesShowGuaranteeAndLimitAsCpusOverMemoryWithUnlimitedDimensionsStarred() {
        Resources max = QueueSpecParser.UNLIMITED;
        QueueSpec ml = QueueSpec.of("ml", 0.5).withGuarantee(new Resources(2, 4096, 0, 1))
                .withLimit(new Resources(max.cpus(), 65536, max.diskMb(), 2));
        QueueSpec batch = QueueSpec.of("batch", 1).withLimit(max);

        String text = Views.queuesTable(List.of(
                new QueueView(ml, new QueueView.Share("ml", 0.5, Resources.of(1, 1024), 1.0 / 3, 0.25, 0, 12)),
                new QueueView(batch, null)));

        assertThat(text).isEqualTo("""
                NAME   WEIGHT  GUARANTEE CPUS/MiB  LIMIT CPUS/MiB   MAX RUNNING  SHARE %  FAIR %  PENDING  RUNNING
                ml        0.5  2/4096 +1 gpus      */65536 +2 gpus            -     33.3    25.0        0       12
                batch       1  -                   -                          -        -       -        -        -
                """);
    }

    @Test
    void percentagesHaveOneDecimal() {
        assertThat(Views.percent(0)).isEqualTo("0.0");
        assertThat(Views.percent(0.375)).isEqualTo("37.5");
        assertThat(Views.percent(1)).isEqualTo("100.0");
        assertThat(Views.percent(2.0 / 3)).isEqualTo("66.7");
    }

    @Test
    void cpusShowAtMostTwoDecimals() {
        assertThat(Views.cpus(0.01)).isEqualTo("0.01");
        assertThat(Views.cpus(2.0)).isEqualTo("2");
        assertThat(Views.cpus(1.0 / 3)).isEqualTo("0.33");
        assertThat(Views.cpus(10)).isEqualTo("10");
    }
}
