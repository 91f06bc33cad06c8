package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.util.ArrayList;
import java.util.List;

/**
 * Vetoes an agent whose free resources (this cycle, after earlier placements) are too small for the task,
 * one veto per short dimension (cpus, memMb, diskMb, gpus). STATIC when the agent's total, if known, is
 * too small too. The {@link AgentIndex} finds agents with room without asking this check, but the stack
 * still applies it, so a placement and its explanation use the same comparisons.
 */
public final class ResourceFilter implements SchedulingFilter {

    public static final ResourceFilter INSTANCE = new ResourceFilter();

    private ResourceFilter() {
    }

    @Override
    public Veto.Kind check(PendingTask task, int agent, Ledger ledger) {
        AgentIndex ix = ledger.index;
        Resources asked = task.resources();
        if (asked.cpus() <= ix.cpus[agent] + Veto.EPS && asked.memMb() <= ix.memMb[agent]
                && asked.diskMb() <= ix.diskMb[agent] && asked.gpus() <= ix.gpus[agent]) {
            return null;
        }
        Resources total = ledger.agents[agent].total();
        return total != null && !total.fits(asked) ? Veto.Kind.STATIC : Veto.Kind.DYNAMIC;
    }

    @Override
    public List<Veto> filter(PendingTask task, int agent, Ledger ledger) {
        if (check(task, agent, ledger) == null) return List.of();
        List<Veto> vetoes = new ArrayList<>(4);
        explain(task, agent, ledger, vetoes::add);
        return vetoes;
    }

    @Override
    public void explain(PendingTask task, int agent, Ledger ledger, VetoSink sink) {
        AgentIndex ix = ledger.index;
        Resources asked = task.resources();
        Resources total = ledger.agents[agent].total();
        boolean known = total != null;
        // The same comparisons as check() and Resources.fits, so they agree.
        if (!(asked.cpus() <= ix.cpus[agent] + Veto.EPS)) {
            sink.insufficient("cpus", asked.cpus(), ix.cpus[agent], known ? total.cpus() : Double.NaN);
        }
        if (asked.memMb() > ix.memMb[agent]) {
            sink.insufficient("memMb", asked.memMb(), ix.memMb[agent], known ? total.memMb() : Double.NaN);
        }
        if (asked.diskMb() > ix.diskMb[agent]) {
            sink.insufficient("diskMb", asked.diskMb(), ix.diskMb[agent], known ? total.diskMb() : Double.NaN);
        }
        if (asked.gpus() > ix.gpus[agent]) {
            sink.insufficient("gpus", asked.gpus(), ix.gpus[agent], known ? total.gpus() : Double.NaN);
        }
    }

    @Override
    public String toString() {
        return "ResourceFilter";
    }
}
