package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

import java.util.ArrayList;
import java.util.List;

/**
 * Vetoes an agent whose remaining free resources are too small for the task, one veto per short
 * dimension (cpus, memMb, diskMb, gpus). STATIC when the agent's total (if known) is too small too.
 */
public final class ResourceFilter implements SchedulingFilter {

    public static final ResourceFilter INSTANCE = new ResourceFilter();

    private ResourceFilter() {
    }

    @Override
    public boolean admits(PendingTask task, AgentSlot agent, Resources remaining) {
        return remaining.fits(task.resources());
    }

    @Override
    public List<Veto> filter(PendingTask task, AgentSlot agent, Resources remaining) {
        if (remaining.fits(task.resources())) {
            return List.of();
        }
        List<Veto> vetoes = new ArrayList<>(4);
        explain(task, agent, remaining, vetoes::add);
        return vetoes;
    }

    @Override
    public void explain(PendingTask task, AgentSlot agent, Resources remaining, VetoSink sink) {
        Resources asked = task.resources();
        Resources total = agent.total();
        boolean known = total != null;
        // The same comparisons as Resources.fits, so admits, filter and explain agree.
        if (!(asked.cpus() <= remaining.cpus() + Veto.EPS)) {
            sink.insufficient("cpus", asked.cpus(), remaining.cpus(), known ? total.cpus() : Double.NaN);
        }
        if (asked.memMb() > remaining.memMb()) {
            sink.insufficient("memMb", asked.memMb(), remaining.memMb(), known ? total.memMb() : Double.NaN);
        }
        if (asked.diskMb() > remaining.diskMb()) {
            sink.insufficient("diskMb", asked.diskMb(), remaining.diskMb(), known ? total.diskMb() : Double.NaN);
        }
        if (asked.gpus() > remaining.gpus()) {
            sink.insufficient("gpus", asked.gpus(), remaining.gpus(), known ? total.gpus() : Double.NaN);
        }
    }

    @Override
    public String toString() {
        return "ResourceFilter";
    }
}
