package io.nightshift.coordinator.scheduling;

import io.nightshift.api.spec.Constraint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A job's placement constraints as a {@link SchedulingFilter}. Counting operators (UNIQUE, CLUSTER,
 * GROUP_BY, MAX_PER) ask {@link Counts} how many instances of the task's run are on each attribute
 * value, running or placed earlier in the cycle; the allocator keeps those counts as it places.
 *
 * <p>Vetoes: LIKE, UNLIKE, a missing attribute and CLUSTER on a fixed value are {@link Veto.Kind#STATIC}
 * (the agent can never take the task); the counting ones are DYNAMIC. Codes are
 * {@link VetoCode#of(Constraint.Operator)} ({@code constraint.unique}, {@code constraint.group-by}…) and
 * {@link VetoCode#CONSTRAINT_ATTRIBUTE} for an agent lacking the attribute.
 *
 * <p>An agent's value of {@code hostname} is its id when it does not report one. Regular expressions
 * match the whole value and are compiled once per filter; their results are cached per value. One
 * instance per cycle (the caches are not shared between threads).
 */
public final class ConstraintFilter implements SchedulingFilter {

    /** The attribute every agent has: its {@code hostname} attribute, or else its id. */
    public static final String HOSTNAME = "hostname";

    /** How many instances of a run sit on each attribute value now. */
    public interface Counts {
        /** Instances of run {@code runId} on agents whose {@code attribute} is {@code value}. */
        int count(String runId, String attribute, String value);

        /** A value of {@code attribute} that holds instances of {@code runId}, or null when none does. */
        String anyValue(String runId, String attribute);

        /** How many distinct values of {@code attribute} the agents have (GROUP_BY without a group count). */
        int distinctValues(String attribute);
    }

    private final Counts counts;
    private final Map<String, Pattern> patterns = new HashMap<>();
    private final Map<String, Map<String, Boolean>> matches = new HashMap<>();
    private PendingTask explaining;
    private Veto[] opVetoes;
    private Veto[] missingVetoes;

    public ConstraintFilter(Counts counts) {
        this.counts = counts;
    }

    /** The value of {@code attribute} on {@code agent}, or null when it has none. */
    public static String valueOf(AgentSlot agent, String attribute) {
        String v = agent.attributes().get(attribute);
        return v == null && HOSTNAME.equals(attribute) ? agent.agentId() : v;
    }

    @Override
    public Veto.Kind check(PendingTask task, int agent, Ledger ledger) {
        List<Constraint> cs = task.constraints();
        if (cs.isEmpty()) return null;
        AgentSlot a = ledger.agents[agent];
        for (int i = 0, n = cs.size(); i < n; i++) {
            Constraint c = cs.get(i);
            if (!ok(task, c, a)) return isStaticOnly(c) || valueOf(a, c.attribute()) == null ? Veto.Kind.STATIC : Veto.Kind.DYNAMIC;
        }
        return null;
    }

    /** True when every constraint of {@code task} admits {@code agent}. */
    public boolean admits(PendingTask task, AgentSlot agent) {
        List<Constraint> cs = task.constraints();
        for (int i = 0, n = cs.size(); i < n; i++) {
            if (!ok(task, cs.get(i), agent)) return false;
        }
        return true;
    }

    /** Allocation-free form of {@code veto(task, c, agent) == null}. */
    boolean ok(PendingTask task, Constraint c, AgentSlot agent) {
        String attr = c.attribute();
        String value = valueOf(agent, attr);
        return switch (c.operator()) {
            case UNLIKE -> value == null || !matches(c.value(), value);
            case LIKE -> value != null && matches(c.value(), value);
            case UNIQUE -> value != null && counts.count(task.runId(), attr, value) == 0;
            case MAX_PER -> value != null && counts.count(task.runId(), attr, value) < c.intValue();
            case GROUP_BY -> value != null && counts.count(task.runId(), attr, value) < perValue(task, c);
            case CLUSTER -> {
                if (value == null) yield false;
                if (c.value() != null) yield c.value().equals(value);
                String there = counts.anyValue(task.runId(), attr);
                yield there == null || there.equals(value) || counts.count(task.runId(), attr, value) > 0;
            }
        };
    }

    private int perValue(PendingTask task, Constraint c) {
        int groups = c.value() != null ? c.intValue() : Math.max(1, counts.distinctValues(c.attribute()));
        return (task.instances() + groups - 1) / groups;
    }

    @Override
    public List<Veto> filter(PendingTask task, int agent, Ledger ledger) {
        return vetoes(task, ledger.agents[agent]);
    }

    /** The vetoes of {@code task}'s constraints against {@code agent}; empty when all admit it. */
    public List<Veto> vetoes(PendingTask task, AgentSlot agent) {
        if (task.constraints().isEmpty()) return List.of();
        List<Veto> out = new ArrayList<>(1);
        for (Constraint c : task.constraints()) {
            Veto v = veto(task, c, agent);
            if (v != null) out.add(v);
        }
        return out;
    }

    @Override
    public void explain(PendingTask task, int agent, Ledger ledger, VetoSink sink) {
        List<Constraint> cs = task.constraints();
        if (cs.isEmpty()) return;
        if (task != explaining) {   // a veto's text depends on the task and constraint, not on the agent
            explaining = task;
            opVetoes = new Veto[cs.size()];
            missingVetoes = new Veto[cs.size()];
        }
        AgentSlot a = ledger.agents[agent];
        for (int k = 0; k < cs.size(); k++) {
            Constraint c = cs.get(k);
            if (ok(task, c, a)) continue;
            boolean missing = valueOf(a, c.attribute()) == null && c.operator() != Constraint.Operator.UNLIKE;
            Veto[] cache = missing ? missingVetoes : opVetoes;
            if (cache[k] == null) cache[k] = veto(task, c, a);
            sink.add(cache[k]);
        }
    }

    /** The veto of one constraint against {@code agent}, or null when it admits the agent. */
    Veto veto(PendingTask task, Constraint c, AgentSlot agent) {
        if (ok(task, c, agent)) return null;
        String attr = c.attribute();
        String value = valueOf(agent, attr);
        switch (c.operator()) {
            case UNLIKE -> {
                return value != null && matches(c.value(), value) ? vetoOf(c, Veto.Kind.STATIC,
                        "%s UNLIKE \"%s\": the agent's value matches".formatted(attr, c.value())) : null;
            }
            case LIKE -> {
                if (value == null) return missing(attr);
                return matches(c.value(), value) ? null : vetoOf(c, Veto.Kind.STATIC,
                        "%s LIKE \"%s\": the agent's value does not match".formatted(attr, c.value()));
            }
            default -> {
            }
        }
        if (value == null) return missing(attr);
        switch (c.operator()) {
            case UNIQUE -> {
                return counts.count(task.runId(), attr, value) == 0 ? null : vetoOf(c, Veto.Kind.DYNAMIC,
                        "%s UNIQUE: another instance is on the agent's value".formatted(attr));
            }
            case MAX_PER -> {
                int k = c.intValue();
                return counts.count(task.runId(), attr, value) < k ? null : vetoOf(c, Veto.Kind.DYNAMIC,
                        "%s MAX_PER %d: the agent's value holds %d instances already".formatted(attr, k, k));
            }
            case GROUP_BY -> {
                int groups = c.value() != null ? c.intValue() : Math.max(1, counts.distinctValues(attr));
                int perValue = perValue(task, c);
                return counts.count(task.runId(), attr, value) < perValue ? null : vetoOf(c, Veto.Kind.DYNAMIC,
                        "%s GROUP_BY %d: the agent's value holds its share (%d of %d instances)".formatted(attr, groups,
                                perValue, task.instances()));
            }
            case CLUSTER -> {
                if (c.value() != null) {
                    return c.value().equals(value) ? null : vetoOf(c, Veto.Kind.STATIC,
                            "%s CLUSTER on \"%s\": the agent is elsewhere".formatted(attr, c.value()));
                }
                String there = counts.anyValue(task.runId(), attr);
                return there == null || there.equals(value) || counts.count(task.runId(), attr, value) > 0 ? null
                        : vetoOf(c, Veto.Kind.DYNAMIC, "%s CLUSTER: the instances are on \"%s\"".formatted(attr, there));
            }
            default -> throw new IllegalStateException("unhandled operator " + c.operator());
        }
    }

    /** True when the veto of {@code c} would be STATIC whatever the counts (cacheable per agent). */
    static boolean isStaticOnly(Constraint c) {
        return switch (c.operator()) {
            case LIKE, UNLIKE -> true;
            case CLUSTER -> c.value() != null;
            default -> false;
        };
    }

    private boolean matches(String regex, String value) {
        Map<String, Boolean> byValue = matches.computeIfAbsent(regex, r -> new HashMap<>());
        Boolean m = byValue.get(value);
        if (m == null) {
            Pattern p = patterns.computeIfAbsent(regex, Pattern::compile);
            m = p.matcher(value).matches();
            byValue.put(value, m);
        }
        return m;
    }

    private static Veto missing(String attr) {
        return Veto.of(VetoCode.CONSTRAINT_ATTRIBUTE, Veto.Kind.STATIC, "the agent has no attribute '" + attr + "'");
    }

    private static Veto vetoOf(Constraint c, Veto.Kind kind, String message) {
        return Veto.of(VetoCode.of(c.operator()), kind, message);
    }

    @Override
    public String toString() {
        return "ConstraintFilter";
    }
}
