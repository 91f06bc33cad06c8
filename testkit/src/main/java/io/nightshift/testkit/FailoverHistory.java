package io.nightshift.testkit;

import io.nightshift.agent.channel.LaunchRecord;
import io.nightshift.coordinator.state.jdbc.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checker of a Jepsen-style failover test: given what the tasks themselves wrote, what the agents
 * recorded of the launches they received, and what the store recorded of the epochs, it lists every
 * violation of
 * <ul>
 *   <li><b>exactly once</b>: every expected firing (job, scheduled time) started once and ended once, and
 *       nothing else ran;</li>
 *   <li><b>dependency order</b>: for every edge parent → child, the child's firing started after the
 *       parent's firing of the same scheduled time ended;</li>
 *   <li><b>one leader at a time</b>: the store's acting epochs do not overlap (an epoch that recorded its
 *       end did so before the next acted); every launch an agent carried out came from an epoch that
 *       acted, was received after that epoch began to act and before any newer epoch did; and the epoch a
 *       task saw is the one its agent recorded.</li>
 * </ul>
 * Side-effect lines, as a task appends them: {@code <job> <scheduledFor> <epoch> start|end <epoch-millis>}.
 * Pure: the inputs are data; an empty result means the history is correct.
 */
public final class FailoverHistory {
    private FailoverHistory() {
    }

    /** One line a task wrote. */
    public record Effect(String job, Instant scheduledFor, long epoch, String phase, Instant at) {
    }

    /** A firing: a job and the time it was scheduled for. */
    public record Firing(String job, Instant scheduledFor) {
        @Override
        public String toString() {
            return job + "@" + scheduledFor;
        }
    }

    /** Parses side-effect lines; a malformed one is itself a violation, reported in {@code problems}. */
    public static List<Effect> parse(Collection<String> lines, List<String> problems) {
        List<Effect> out = new ArrayList<>();
        for (String l : lines) {
            if (l.isBlank()) continue;
            String[] p = l.trim().split("\\s+");
            try {
                if (p.length != 5 || !(p[3].equals("start") || p[3].equals("end"))) throw new IllegalArgumentException("shape");
                out.add(new Effect(p[0], Instant.parse(p[1]), Long.parseLong(p[2]), p[3], Instant.ofEpochMilli(Long.parseLong(p[4]))));
            } catch (RuntimeException e) {
                problems.add("malformed side-effect line: '" + l + "'");
            }
        }
        return out;
    }

    /**
     * @param expected every firing that must have run exactly once
     * @param edges    child job → its parent jobs (same schedule: the child's firing T waits for the parents' T)
     * @param effects  what the tasks wrote
     * @param launches every agent's launch record (all agents together)
     * @param epochs   the store's {@code ns_epochs}
     * @return the violations, each a sentence; empty when the history is correct
     */
    public static List<String> violations(Collection<Firing> expected, Map<String, List<String>> edges, List<Effect> effects,
                                          List<LaunchRecord.Entry> launches, List<Database.EpochRecord> epochs) {
        List<String> out = new ArrayList<>();
        Map<Firing, List<Effect>> starts = new HashMap<>();
        Map<Firing, List<Effect>> ends = new HashMap<>();
        for (Effect e : effects)
            (e.phase().equals("start") ? starts : ends).computeIfAbsent(new Firing(e.job(), e.scheduledFor()), k -> new ArrayList<>()).add(e);

        // exactly once
        for (Firing f : expected) {
            int s = starts.getOrDefault(f, List.of()).size();
            int n = ends.getOrDefault(f, List.of()).size();
            if (s != 1 || n != 1) out.add("firing " + f + " started " + s + " time(s) and ended " + n + " time(s); expected once each");
        }
        java.util.Set<Firing> known = new java.util.HashSet<>(expected);
        java.util.Set<Firing> ran = new java.util.TreeSet<>(Comparator.comparing(Firing::toString));
        ran.addAll(starts.keySet());
        ran.addAll(ends.keySet());
        for (Firing f : ran) if (!known.contains(f)) out.add("firing " + f + " ran but was not expected");

        // dependency order
        for (Firing f : expected) {
            Effect childStart = first(starts.get(f));
            if (childStart == null) continue;
            for (String parent : edges.getOrDefault(f.job(), List.of())) {
                Effect parentEnd = first(ends.get(new Firing(parent, f.scheduledFor())));
                if (parentEnd == null) out.add("firing " + f + " ran but its parent " + parent + " never ended its firing of "
                        + f.scheduledFor());
                else if (childStart.at().isBefore(parentEnd.at())) out.add("firing " + f + " started at " + childStart.at()
                        + ", before its parent " + parent + " ended that firing at " + parentEnd.at());
            }
        }

        // one leader at a time: the store's record
        TreeMap<Long, Database.EpochRecord> byEpoch = new TreeMap<>();
        for (Database.EpochRecord r : epochs) byEpoch.put(r.epoch(), r);
        List<Database.EpochRecord> acted = byEpoch.values().stream().filter(r -> r.acting() != null).toList();
        for (int i = 1; i < acted.size(); i++) {
            Database.EpochRecord before = acted.get(i - 1);
            Database.EpochRecord now = acted.get(i);
            if (before.ended() != null && now.acting().isBefore(before.ended()))
                out.add("epoch " + now.epoch() + " acted from " + now.acting() + " while epoch " + before.epoch()
                        + " still acted (it ended at " + before.ended() + ")");
        }
        // ... and the agents' record of what they carried out
        for (LaunchRecord.Entry l : launches) {
            if (!l.verdict().equals("launched")) continue;
            Database.EpochRecord own = byEpoch.get(l.epoch());
            Instant at = Instant.parse(l.receivedAt());
            if (own == null || own.acting() == null) {
                out.add("agent launched attempt " + l.attemptId() + " under epoch " + l.epoch() + ", which never acted in the store's record");
                continue;
            }
            if (at.isBefore(own.acting()))
                out.add("agent launched attempt " + l.attemptId() + " at " + at + " under epoch " + l.epoch() + " before it acted ("
                        + own.acting() + ")");
            for (Database.EpochRecord newer : acted)
                if (newer.epoch() > l.epoch() && !at.isBefore(newer.acting())) {
                    out.add("agent launched attempt " + l.attemptId() + " at " + at + " under epoch " + l.epoch() + " after epoch "
                            + newer.epoch() + " began to act (" + newer.acting() + "): two leaders acted at once");
                    break;
                }
        }
        // the epoch each task saw is one its agents carried out for that job's firing
        for (Effect e : effects) {
            if (!e.phase().equals("start")) continue;
            boolean seen = launches.stream().anyMatch(l -> l.verdict().equals("launched") && l.jobId().equals(e.job())
                    && l.scheduledFor().equals(e.scheduledFor().toString()) && l.epoch() == e.epoch());
            if (!seen) out.add("firing " + new Firing(e.job(), e.scheduledFor()) + " ran under epoch " + e.epoch()
                    + " but no agent recorded launching it under that epoch");
        }
        return out;
    }

    private static Effect first(List<Effect> l) {
        return l == null || l.isEmpty() ? null : l.stream().min(Comparator.comparing(Effect::at)).orElseThrow();
    }
}
