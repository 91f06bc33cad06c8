package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A step of the cycle for pools: on every agent whose pool takes capacity back ({@link AgentSlot#reclaim()}:
 * its window closes within the reclaim lead, or its owners' load reached into the headroom), revocable
 * tasks are stopped until what they hold covers the amount: lowest priority first, then the most
 * recently started (the least progress lost). Tasks already terminating count first. Each victim becomes
 * a {@link Preemption} with code {@code revoked}: the shell sends SIGTERM with the job's grace period and
 * {@code NIGHTSHIFT_REVOKE_DEADLINE}, then SIGKILL; the task comes back PENDING, counted REVOKED, without
 * using a retry, and the revocation counts against its run's preemption budget. The owners come first: a
 * run past its budget is still revoked. Non-revocable tasks are never stopped here. Pure.
 */
final class Reclaimer {
    static final String CODE = "revoked";
    private static final Comparator<RunningTask> VICTIM_ORDER = Comparator.comparingInt(RunningTask::priority)
            .thenComparing(RunningTask::startedAt, Comparator.reverseOrder()).thenComparing(RunningTask::taskId);

    private final Ledger ledger;
    private final Decisions decisions;

    Reclaimer(Ledger ledger, Decisions decisions) {
        this.ledger = ledger;
        this.decisions = decisions;
    }

    void run() {
        for (int i = 0; i < ledger.n; i++) {
            AgentSlot a = ledger.agents[i];
            if (a.reclaim().isZero()) continue;
            List<RunningTask> mine = new ArrayList<>();
            Resources covered = Resources.ZERO;
            for (RunningTask r : ledger.snap.running()) {
                if (!r.agentId().equals(a.agentId()) || !r.revocable()) continue;
                if (r.terminating()) covered = covered.plus(r.resources());
                else mine.add(r);
            }
            mine.sort(VICTIM_ORDER);
            for (RunningTask r : mine) {
                if (covers(covered, a.reclaim())) break;
                covered = covered.plus(r.resources());
                decisions.preemptions.add(new Preemption(r.taskId(), r.jobId(), r.queue(), a.agentId(), "owners", CODE,
                        "pool '%s' takes %s cpus and %d MiB back on agent %s (its window closes or its owners need them)"
                                .formatted(a.pool() == null ? "?" : a.pool().name(), Veto.number(a.reclaim().cpus()),
                                        a.reclaim().memMb(), a.agentId())));
            }
        }
    }

    /** True when {@code have} is at least {@code need} in every dimension {@code need} asks for. */
    static boolean covers(Resources have, Resources need) {
        return have.cpus() + Veto.EPS >= need.cpus() && have.memMb() >= need.memMb() && have.diskMb() >= need.diskMb()
                && have.gpus() >= need.gpus();
    }
}
