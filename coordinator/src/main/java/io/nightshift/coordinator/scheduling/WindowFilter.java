package io.nightshift.coordinator.scheduling;

import io.nightshift.api.pool.PoolSpec;
import io.nightshift.api.pool.WindowSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A step of the placement stack for windows: a task that names a {@code window} starts only on an agent
 * whose pool has that window open now, and, when it gives an expected runtime (its job's maxRuntime), only
 * when that runtime ends before the window closes. STATIC when the agent's pool has no such window; DYNAMIC
 * otherwise (the window opens later). The time is the snapshot's.
 */
public final class WindowFilter implements SchedulingFilter {
    public static final WindowFilter INSTANCE = new WindowFilter();

    private WindowFilter() {
    }

    @Override
    public Veto.Kind check(PendingTask task, int agent, Ledger ledger) {
        if (task.window() == null) return null;
        PoolSpec pool = ledger.agents[agent].pool();
        Optional<WindowSpec> w = pool == null ? Optional.empty() : pool.window(task.window());
        if (w.isEmpty()) return Veto.Kind.STATIC;
        Optional<WindowSpec.Opening> open = w.get().openingAt(ledger.now);
        if (open.isEmpty()) return Veto.Kind.DYNAMIC;
        return fits(task, open.get(), ledger.now) ? null : Veto.Kind.DYNAMIC;
    }

    @Override
    public List<Veto> filter(PendingTask task, int agent, Ledger ledger) {
        Veto.Kind kind = check(task, agent, ledger);
        if (kind == null) return List.of();
        PoolSpec pool = ledger.agents[agent].pool();
        String name = "'" + task.window() + "'";
        if (kind == Veto.Kind.STATIC) {
            return List.of(Veto.of(VetoCode.WINDOW_UNKNOWN, kind, pool == null
                    ? "the agent is in no pool, so it has no window " + name
                    : "pool '" + pool.name() + "' has no window " + name));
        }
        WindowSpec w = pool.window(task.window()).orElseThrow();
        Optional<WindowSpec.Opening> open = w.openingAt(ledger.now);
        Instant next = nextFitting(task, w, ledger.now);
        if (open.isEmpty()) {
            return List.of(Veto.of(VetoCode.WINDOW_CLOSED, kind, next == null
                    ? "window %s of pool '%s' is closed, and no opening in the next two weeks is long enough for its maxRuntime"
                    .formatted(name, pool.name())
                    : "window %s of pool '%s' is closed; it opens next at %s".formatted(name, pool.name(), next)));
        }
        return List.of(Veto.of(VetoCode.WINDOW_TOO_SHORT, kind, ("may run up to %s (maxRuntime) but window %s of pool '%s' "
                + "closes at %s, in %s; %s").formatted(human(task.maxRuntime()), name, pool.name(), open.get().closes(),
                human(Duration.between(ledger.now, open.get().closes())), next == null
                        ? "no opening in the next two weeks is that long" : "it starts at the next opening that fits, at " + next)));
    }

    /** The same window and runtime decide the same way. */
    @Override
    public Object shapeKey(PendingTask task) {
        return task.window() == null ? null : task.window() + "/" + task.maxRuntime();
    }

    /**
     * When the task could start at the earliest on any agent of the ledger whose pool has its window: now if
     * an open window fits, else the next opening long enough for its expected runtime. Null when no agent
     * has the window.
     */
    static Instant earliestStart(PendingTask task, Ledger ledger) {
        Instant best = null;
        java.util.Set<PoolSpec> seen = new java.util.HashSet<>();
        for (AgentSlot a : ledger.agents) {
            if (a.pool() == null || !seen.add(a.pool())) continue;
            Optional<WindowSpec> w = a.pool().window(task.window());
            if (w.isEmpty()) continue;
            Optional<WindowSpec.Opening> open = w.get().openingAt(ledger.now);
            Instant at = open.isPresent() && fits(task, open.get(), ledger.now) ? ledger.now : nextFitting(task, w.get(), ledger.now);
            if (at != null && (best == null || at.isBefore(best))) best = at;
        }
        return best;
    }

    private static boolean fits(PendingTask task, WindowSpec.Opening o, Instant start) {
        return task.maxRuntime() == null || !start.plus(task.maxRuntime()).isAfter(o.closes());
    }

    /** The next opening after {@code now} long enough for the task (looked for over the next two weeks), else null. */
    private static Instant nextFitting(PendingTask task, WindowSpec w, Instant now) {
        Instant t = now;
        for (int i = 0; i < 64; i++) {
            WindowSpec.Opening o = w.nextOpening(t);
            if (o.opens().isAfter(now.plus(Duration.ofDays(14)))) return null;
            if (fits(task, o, o.opens())) return o.opens();
            t = o.opens();
        }
        return null;
    }

    static String human(Duration d) {
        long m = Math.max(0, d.toMinutes());
        if (m < 1) return Math.max(0, d.toSeconds()) + "s";
        if (m < 60) return m + "m";
        return m % 60 == 0 ? (m / 60) + "h" : (m / 60) + "h " + (m % 60) + "m";
    }

    @Override
    public String toString() {
        return "WindowFilter";
    }
}
