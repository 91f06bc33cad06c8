package io.nightshift.coordinator.scheduling;

import io.nightshift.api.model.PendingReason;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds the per-agent vetoes of one task into a few {@link PendingReason}s, one per veto code:
 * how many agents said it and, for resources, the largest amount free among them, e.g.
 * {@code cpus: asked 64, largest free 2 (3 agents too small)}. Reasons are ordered by how many agents
 * they apply to (most first), then by code.
 *
 * <p>Resource shortfalls arrive through {@link #insufficient} without a {@link Veto} being built, so
 * explaining a task costs O(agents) time and O(codes) memory. One instance per explained task.
 */
final class ReasonSummary implements SchedulingFilter.VetoSink {

    private final Map<String, Group> byCode = new HashMap<>();
    private final Map<String, Group> byResource = new HashMap<>();
    private int agent = -1;
    private boolean agentVetoed;

    /** Following vetoes come from agent {@code index}; a code is counted at most once per agent. */
    void startAgent(int index) {
        agent = index;
        agentVetoed = false;
    }

    /** True when the current agent has reported at least one veto. */
    boolean agentVetoed() {
        return agentVetoed;
    }

    @Override
    public void add(Veto v) {
        if (v.resource() != null && v.code().equals(Veto.INSUFFICIENT_PREFIX + v.resource())) {
            count(byResource.computeIfAbsent(v.resource(), r -> Group.resource(r, v.asked())), v.available(), v.isStatic());
        } else {
            count(byCode.computeIfAbsent(v.code(), c -> Group.other(v)), 0, v.isStatic());
        }
    }

    @Override
    public void insufficient(String resource, double asked, double available, double total) {
        Group g = byResource.get(resource);
        if (g == null) {
            g = Group.resource(resource, asked);
            byResource.put(resource, g);
        }
        count(g, available, Veto.exceeds(asked, total));
    }

    private void count(Group g, double available, boolean isStatic) {
        agentVetoed = true;
        if (g.lastAgent == agent) {
            return;
        }
        g.lastAgent = agent;
        g.agents++;
        if (isStatic) {
            g.staticAgents++;
        }
        g.largestFree = Math.max(g.largestFree, available);
    }

    boolean isEmpty() {
        return byCode.isEmpty() && byResource.isEmpty();
    }

    List<PendingReason> reasons() {
        List<Group> groups = new ArrayList<>(byResource.size() + byCode.size());
        groups.addAll(byResource.values());
        groups.addAll(byCode.values());
        groups.sort(Comparator.comparingInt((Group g) -> g.agents).reversed().thenComparing(g -> g.code));
        List<PendingReason> out = new ArrayList<>(groups.size());
        for (Group g : groups) {
            out.add(new PendingReason(g.code, g.agents, g.message()));
        }
        return out;
    }

    private static final class Group {
        final String code;
        final String resource;      // null unless an insufficient.<resource> group
        final double asked;
        final String otherMessage;  // the first veto's message, for non-resource groups
        int agents;
        int staticAgents;
        int lastAgent = -1;
        double largestFree = Double.NEGATIVE_INFINITY;

        private Group(String code, String resource, double asked, String otherMessage) {
            this.code = code;
            this.resource = resource;
            this.asked = asked;
            this.otherMessage = otherMessage;
        }

        static Group resource(String resource, double asked) {
            return new Group(Veto.INSUFFICIENT_PREFIX + resource, resource, asked, null);
        }

        static Group other(Veto first) {
            return new Group(first.code(), null, 0, first.message());
        }

        String message() {
            if (resource == null) {
                return agents <= 1 ? otherMessage : otherMessage + " (" + agents + " agents)";
            }
            StringBuilder m = new StringBuilder()
                    .append(resource).append(": asked ").append(Veto.number(asked))
                    .append(", largest free ").append(Veto.number(largestFree))
                    .append(" (").append(agents).append(agents == 1 ? " agent" : " agents").append(" too small");
            if (staticAgents > 0) {
                m.append(", ").append(staticAgents == agents ? (agents == 1 ? "it" : "all") : staticAgents + " of them")
                        .append(" even when idle");
            }
            return m.append(')').toString();
        }
    }
}
