package io.nightshift.coordinator.scheduling;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where each run's instances are during a cycle (running, or placed earlier in the cycle), counted per
 * attribute value for the counting constraints (UNIQUE, CLUSTER, GROUP_BY, MAX_PER), and how many
 * instances of each gang run already. Part of the {@link Ledger}.
 *
 * <p>Lazy: nothing is indexed until a constraint first asks, and only runs that have constrained pending
 * tasks are indexed; placements before that are recorded and replayed. Counts per (run, attribute) are
 * built on first ask, then kept up to date by {@link #add}/{@link #remove}.
 */
final class RunCounts implements ConstraintFilter.Counts {

    private final ClusterSnapshot snap;
    private final Ledger ledger;
    private final Map<String, List<Integer>> agentsOfRun = new HashMap<>();
    private boolean indexed;
    private final List<Integer> placedBeforeIndex = new ArrayList<>();
    private final List<String> placedRuns = new ArrayList<>();
    private final Map<String, Map<String, Map<String, int[]>>> counts = new HashMap<>();
    private final Map<String, Integer> distinct = new HashMap<>();
    /** Gang run id → instances running now (only for runs with pending gang members). */
    final Map<String, Integer> runningPerGang = new HashMap<>();

    RunCounts(ClusterSnapshot snap, Ledger ledger) {
        this.snap = snap;
        this.ledger = ledger;
    }

    /** An instance of {@code run} was placed on {@code agent}. */
    void add(String run, int agent) {
        if (!indexed) {   // no constraint asked yet: record the placement only
            placedBeforeIndex.add(agent);
            placedRuns.add(run);
            return;
        }
        agentsOfRun.computeIfAbsent(run, k -> new ArrayList<>()).add(agent);
        Map<String, Map<String, int[]>> byAttr = counts.get(run);
        if (byAttr != null) {
            for (Map.Entry<String, Map<String, int[]>> e : byAttr.entrySet()) {
                String v = ConstraintFilter.valueOf(ledger.agents[agent], e.getKey());
                if (v != null) e.getValue().computeIfAbsent(v, k -> new int[1])[0]++;
            }
        }
    }

    /** Undoes the last {@link #add} of {@code run} on {@code agent} (a gang rolled back). */
    void remove(String run, int agent) {
        if (!indexed) {
            placedBeforeIndex.remove(placedBeforeIndex.size() - 1);
            placedRuns.remove(placedRuns.size() - 1);
            return;
        }
        List<Integer> list = agentsOfRun.get(run);
        list.remove(list.lastIndexOf(agent));
        Map<String, Map<String, int[]>> byAttr = counts.get(run);
        if (byAttr != null) {
            for (Map.Entry<String, Map<String, int[]>> e : byAttr.entrySet()) {
                String v = ConstraintFilter.valueOf(ledger.agents[agent], e.getKey());
                if (v != null) e.getValue().get(v)[0]--;
            }
        }
    }

    private Map<String, List<Integer>> agentsOfRun() {
        if (!indexed) {
            indexed = true;
            Set<String> asked = new HashSet<>();
            for (PendingTask t : snap.pending()) if (!t.constraints().isEmpty()) asked.add(t.runId());
            for (RunningTask r : snap.running()) {
                if (!asked.contains(r.runId())) continue;   // no constraint will ever count this run
                Integer i = ledger.indexOf(r.agentId());
                if (i != null) agentsOfRun.computeIfAbsent(r.runId(), k -> new ArrayList<>()).add(i);
            }
            for (int k = 0; k < placedRuns.size(); k++) {
                agentsOfRun.computeIfAbsent(placedRuns.get(k), x -> new ArrayList<>()).add(placedBeforeIndex.get(k));
            }
            placedRuns.clear();
            placedBeforeIndex.clear();
        }
        return agentsOfRun;
    }

    private Map<String, int[]> countsOf(String run, String attribute) {
        Map<String, Map<String, int[]>> byAttr = counts.computeIfAbsent(run, k -> new HashMap<>());
        Map<String, int[]> c = byAttr.get(attribute);
        if (c == null) {
            c = new HashMap<>();
            for (int agent : agentsOfRun().getOrDefault(run, List.of())) {
                String v = ConstraintFilter.valueOf(ledger.agents[agent], attribute);
                if (v != null) c.computeIfAbsent(v, k -> new int[1])[0]++;
            }
            byAttr.put(attribute, c);
        }
        return c;
    }

    @Override
    public int count(String runId, String attribute, String value) {
        if (!agentsOfRun().containsKey(runId)) return 0;
        int[] c = countsOf(runId, attribute).get(value);
        return c == null ? 0 : c[0];
    }

    @Override
    public String anyValue(String runId, String attribute) {
        if (!agentsOfRun().containsKey(runId)) return null;
        String min = null;
        for (Map.Entry<String, int[]> e : countsOf(runId, attribute).entrySet()) {
            if (e.getValue()[0] > 0 && (min == null || e.getKey().compareTo(min) < 0)) min = e.getKey();
        }
        return min;
    }

    @Override
    public int distinctValues(String attribute) {
        Integer d = distinct.get(attribute);
        if (d == null) {
            Set<String> values = new HashSet<>();
            for (AgentSlot a : ledger.agents) {
                String v = ConstraintFilter.valueOf(a, attribute);
                if (v != null) values.add(v);
            }
            d = values.size();
            distinct.put(attribute, d);
        }
        return d;
    }
}
