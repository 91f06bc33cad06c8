package io.nightshift.cli;

import io.nightshift.coordinator.simulation.DiurnalScenario;
import io.nightshift.coordinator.simulation.InvariantViolation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code nightshift simulate --scenario diurnal}: the week of machines shared with their owners
 * ({@link DiurnalScenario}), lent at night by Nightshift and, as the baseline, partitioned statically. Takes
 * {@code --seed}, {@code --out} and the scenario's own options through {@code --param} (days, agentsPerPool, step,
 * killGrace, grace, reclaimLead, staticShare, cycleEvery, dags).
 */
final class DiurnalView {
    private DiurnalView() {
    }

    static DiurnalScenario.Options options(long seed, Path out, Map<String, String> params) {
        Map<String, String> o = new LinkedHashMap<>(params);
        if (o.containsKey("seed") || o.containsKey("out")) throw CliException.usage("--param seed/out: use --seed and --out instead");
        o.put("seed", Long.toString(seed));
        if (out != null) o.put("out", out.toString());
        try {
            return DiurnalScenario.Options.parse(o);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    static DiurnalScenario.Result run(DiurnalScenario.Options o) {
        try {
            return DiurnalScenario.run(o);
        } catch (InvariantViolation e) {
            throw new CliException(CliException.FAILED, "invariant violated: " + e.getMessage(), e);
        }
    }

    /** Both runs side by side, and whether each target was met. */
    static String table(DiurnalScenario.Result r, String outDir) {
        StringBuilder sb = new StringBuilder();
        sb.append("Diurnal scenario: ").append(r.days()).append(" days, ").append(r.agents()).append(" machines in pools ")
                .append(String.join(", ", r.pools())).append(", seed ").append(r.seed()).append('\n');
        Table t = Table.of("", "NIGHTSHIFT", "STATIC").alignRight(1, 2);
        DiurnalScenario.Figures n = r.nightshift();
        DiurnalScenario.Figures s = r.staticPartitioning();
        t.row("night idle capacity used %", Views.percent(n.nightIdleUsed().get("all")), Views.percent(s.nightIdleUsed().get("all")));
        for (String pool : r.pools())
            t.row("  pool " + pool + " %", Views.percent(n.nightIdleUsed().get(pool)), Views.percent(s.nightIdleUsed().get(pool)));
        t.row("night idle cpu-hours", Views.cpus(n.nightIdleCpuHours()), Views.cpus(s.nightIdleCpuHours()));
        t.row("headroom violations", n.violations(), s.violations());
        t.row("  longest (s)", Views.cpus(n.violationMaxSeconds()), Views.cpus(s.violationMaxSeconds()));
        t.row("  longer than the grace", n.violationsOverGrace(), s.violationsOverGrace());
        t.row("revocations", n.revocations(), s.revocations());
        t.row("  work lost (cpu-hours)", Views.cpus(n.workLostCpuHours()), Views.cpus(s.workLostCpuHours()));
        t.row("batch tasks finished", n.batchFinished(), s.batchFinished());
        t.row("batch cpu-hours (throughput)", Views.cpus(n.batchCpuHours()), Views.cpus(s.batchCpuHours()));
        t.row("ad-hoc tasks finished", n.adhocFinished(), s.adhocFinished());
        t.row("ad-hoc wait p90 (s)", Views.cpus(n.adhocWaitP90Seconds()), Views.cpus(s.adhocWaitP90Seconds()));
        sb.append(t.render());
        sb.append("Batch throughput: ").append(Views.cpus(r.throughputRatio())).append("x of static partitioning\n");
        DiurnalScenario.DeadlineFigures d = r.deadlines();
        if (d != null && d.dags() > 0) {
            sb.append("Nightly DAGs (06:00 deadlines, nightshift run): ").append(d.dags()).append(" submitted: ")
                    .append(d.admitted()).append(" admitted, ").append(d.atRisk()).append(" at risk, ").append(d.refused())
                    .append(" refused\n");
            sb.append("  admitted deadlines met: ").append(d.admittedMet()).append(" of ").append(d.admitted()).append(" (")
                    .append(Views.percent(d.admittedMetRatio())).append(" %); at risk met: ").append(d.atRiskMet()).append(" of ")
                    .append(d.atRisk()).append("; missed: ").append(d.missed()).append(" (").append(d.missedWarned())
                    .append(" warned before the deadline)\n");
            sb.append("  at-risk warnings: ").append(d.warned()).append(" DAGs (").append(d.warnedButMet())
                    .append(" met it anyway), lead time before the deadline p50 ").append(Views.cpus(d.leadP50Seconds() / 60))
                    .append(" min, min ").append(Views.cpus(d.leadMinSeconds() / 60)).append(" min\n");
        }
        r.targets().forEach((k, v) -> sb.append("Target ").append(k).append(": ").append(v ? "met" : "NOT met").append('\n'));
        if (!r.charts().isEmpty()) sb.append("Charts in ").append(outDir).append(": ").append(String.join(", ", r.charts())).append('\n');
        return sb.toString();
    }
}
