package io.nightshift.coordinator.scheduling;

import io.nightshift.api.model.PendingReason;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds the per-agent vetoes of one task into a few {@link PendingReason}s, one per {@link VetoCode}
 * (one per message for {@link VetoCode#FILTER}): how many agents said it and, for resources, plain
 * sentences with the numbers, e.g. {@code asks 8 cpus; the largest agent has 4 in total} or
 * {@code 3 agents too small now (free cpus 0.5 of 2 asked); 1 agent could hold it when idle}. Reasons
 * are ordered by how many agents they apply to (most first), then by code.
 *
 * <p>Resource shortfalls arrive through {@link #insufficient} without a {@link Veto} being built, so
 * explaining a task costs O(agents) time and O(codes) memory. One instance per explained task.
 */
final class ReasonSummary implements SchedulingFilter.VetoSink {

    private final int agentsInSnapshot;
    private final Map<VetoCode, Group> byResource = new EnumMap<>(VetoCode.class);
    private final Map<Object, Group> byCode = new LinkedHashMap<>();
    private int agent = -1;
    private boolean agentVetoed;
    private boolean agentStatic;
    private int staticAgents;

    ReasonSummary(int agentsInSnapshot) {
        this.agentsInSnapshot = agentsInSnapshot;
    }

    /** Following vetoes come from agent {@code index}; a code is counted at most once per agent. */
    void startAgent(int index) {
        agent = index;
        agentVetoed = false;
        agentStatic = false;
    }

    /** True when the current agent has reported at least one veto. */
    boolean agentVetoed() {
        return agentVetoed;
    }

    /** True when the current agent has reported a STATIC veto: it can never take the task. */
    boolean agentStatic() {
        return agentStatic;
    }

    /** True when every agent of the snapshot (at least one) vetoed the task STATICally: no agent could ever hold it. */
    boolean never() {
        return agentsInSnapshot > 0 && staticAgents == agentsInSnapshot;
    }

    @Override
    public void add(Veto v) {
        if (v.resource() != null) {
            count(resource(v.code(), v.asked()), v.available(), v.isStatic(), Double.NaN);
        } else {
            Object key = v.code() == VetoCode.FILTER ? v.message() : v.code();
            count(byCode.computeIfAbsent(key, c -> Group.other(v)), 0, v.isStatic(), Double.NaN);
        }
    }

    @Override
    public void insufficient(String resource, double asked, double available, double total) {
        count(resource(VetoCode.insufficient(resource), asked), available, Veto.exceeds(asked, total), total);
    }

    private Group resource(VetoCode code, double asked) {
        Group g = byResource.get(code);
        if (g == null) {
            g = new Group(code, code.resource(), asked, null);
            byResource.put(code, g);
        }
        return g;
    }

    private void count(Group g, double available, boolean isStatic, double total) {
        agentVetoed = true;
        if (isStatic && !agentStatic) {
            agentStatic = true;
            staticAgents++;
        }
        if (g.lastAgent == agent) {
            return;
        }
        g.lastAgent = agent;
        g.agents++;
        if (isStatic) {
            g.staticAgents++;
            if (!Double.isNaN(total)) g.largestTotal = Math.max(g.largestTotal, total);
        } else if (!Double.isNaN(total)) {
            g.idleAgents++;
        }
        g.largestFree = Math.max(g.largestFree, available);
    }

    boolean isEmpty() {
        return byCode.isEmpty() && byResource.isEmpty();
    }

    List<PendingReason> reasons() {
        if (isEmpty()) {
            return List.of(PendingReason.of(VetoCode.UNPLACED.wire(), PendingReason.Kind.DYNAMIC, agentsInSnapshot,
                    "no agent admitted the task, but none vetoed it"));
        }
        List<Group> groups = new ArrayList<>(byResource.size() + byCode.size());
        groups.addAll(byResource.values());
        groups.addAll(byCode.values());
        groups.sort(Comparator.comparingInt((Group g) -> g.agents).reversed().thenComparing(g -> g.code.wire()));
        List<PendingReason> out = new ArrayList<>(groups.size() + 1);
        if (never()) {
            out.add(PendingReason.of(VetoCode.NEVER.wire(), PendingReason.Kind.STATIC, agentsInSnapshot, agentsInSnapshot == 1
                    ? "the only agent can never hold this task; it waits until an agent that can registers"
                    : "none of the " + agentsInSnapshot + " agents can ever hold this task; it waits until an agent that can registers"));
        }
        for (Group g : groups) {
            out.add(g.reason(agentsInSnapshot));
        }
        return out;
    }

    static String agents(int n) {
        return n == 1 ? "1 agent" : n + " agents";
    }

    private static final class Group {
        final VetoCode code;
        final String resource;      // null unless an insufficient.<resource> group
        final double asked;
        final String otherMessage;  // the first veto's message, for non-resource groups
        int agents;
        int staticAgents;
        int idleAgents;             // too small now, but their known total could hold the task
        int lastAgent = -1;
        double largestFree = Double.NEGATIVE_INFINITY;
        double largestTotal = Double.NEGATIVE_INFINITY;   // over STATIC agents whose total is known

        Group(VetoCode code, String resource, double asked, String otherMessage) {
            this.code = code;
            this.resource = resource;
            this.asked = asked;
            this.otherMessage = otherMessage;
        }

        static Group other(Veto first) {
            return new Group(first.code(), null, 0, first.message());
        }

        /** STATIC when every agent of the group said it STATICally; the numbers for a resource group. */
        PendingReason reason(int agentsInSnapshot) {
            PendingReason.Kind kind = staticAgents == agents ? PendingReason.Kind.STATIC : PendingReason.Kind.DYNAMIC;
            return resource == null ? PendingReason.of(code.wire(), kind, agents, message(agentsInSnapshot))
                    : PendingReason.shortOf(code.wire(), kind, agents, resource, asked, largestFree, message(agentsInSnapshot));
        }

        String message(int agentsInSnapshot) {
            if (resource == null) {
                return agents <= 1 ? otherMessage : otherMessage + " (" + ReasonSummary.agents(agents) + ")";
            }
            String asks = "asks " + Veto.amount(resource, asked);
            boolean totalKnown = largestTotal > Double.NEGATIVE_INFINITY;
            if (staticAgents == agents) {
                if (agents == agentsInSnapshot) {
                    return totalKnown ? asks + "; the largest agent has " + Veto.number(largestTotal) + " in total"
                            : asks + "; no agent has that much in total";
                }
                return asks + "; " + ReasonSummary.agents(agents) + (agents == 1 ? " has" : " have") + " less in total"
                        + (totalKnown ? " (the largest " + Veto.number(largestTotal) + ")" : "");
            }
            StringBuilder m = new StringBuilder(ReasonSummary.agents(agents)).append(" too small now (free ")
                    .append(resource).append(' ').append(Veto.number(largestFree)).append(" of ")
                    .append(Veto.number(asked)).append(" asked)");
            if (staticAgents > 0) {
                m.append("; ").append(staticAgents).append(" of them never");
                if (totalKnown) m.append(" (largest total ").append(Veto.number(largestTotal)).append(')');
            }
            if (idleAgents > 0) {
                m.append("; ").append(ReasonSummary.agents(idleAgents)).append(" could hold it when idle");
            }
            return m.toString();
        }
    }
}
