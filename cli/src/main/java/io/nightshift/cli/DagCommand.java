package io.nightshift.cli;

import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.client.NightshiftException;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.model.Run;
import io.nightshift.api.spec.DependencySpec;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nightshift dag ID}: the job and the jobs it waits for ({@code after}), as a tree, each with its state and
 * its latest run. A job reached twice (a diamond) is shown once and then referred to.
 */
@Command(name = "dag", mixinStandardHelpOptions = true,
        description = "Show the jobs a job waits for (its 'after'), as a tree, and where each stands.")
final class DagCommand implements Callable<Integer> {
    /** At most this many jobs are read. */
    static final int MAX_JOBS = 200;

    @ParentCommand
    Nightshift root;

    @Parameters(index = "0", paramLabel = "ID", description = "Job id.")
    String id;

    @Override
    public Integer call() {
        NightshiftClient client = root.client();
        Map<String, JobDetail> read = new LinkedHashMap<>();
        StringBuilder out = new StringBuilder();
        node(client, id, null, "", "", read, new HashSet<>(), out);
        if (root.json()) {
            Map<String, Object> nodes = new LinkedHashMap<>();
            read.forEach((k, d) -> nodes.put(k, d == null ? null : Map.of("state", d.job().state(), "after", d.job().spec().after(),
                    "latestRun", latest(d) == null ? "" : latest(d).id())));
            root.out.println(Cli.pretty(Map.of("job", id, "nodes", nodes)));
        } else {
            root.out.print(out);
        }
        return 0;
    }

    private static Run latest(JobDetail d) {
        List<JobDetail.RunDetail> runs = d.runs();
        return runs == null || runs.isEmpty() ? null : runs.get(runs.size() - 1).run();
    }

    private void node(NightshiftClient client, String jobId, DependencySpec edge, String prefix, String childPrefix,
                      Map<String, JobDetail> read, Set<String> expanded, StringBuilder out) {
        out.append(prefix).append(jobId);
        if (edge != null) out.append("  (").append(edge.state()).append(edge.sameDay() ? ", same day" : "").append(')');
        JobDetail d = read.containsKey(jobId) ? read.get(jobId) : fetch(client, jobId, read);
        if (d == null) {
            out.append("  not submitted yet\n");
            return;
        }
        out.append("  ").append(d.job().state());
        Run last = latest(d);
        if (last != null) out.append("  ").append(last.id()).append(' ').append(last.state());
        if (d.pending() != null && d.pending().reasons() != null) {
            d.pending().reasons().stream().filter(r -> "upstream".equals(r.code())).findFirst()
                    .ifPresent(r -> out.append("  ").append(r.message()));
        }
        if (!expanded.add(jobId)) {
            out.append("  (shown above)\n");
            return;
        }
        out.append('\n');
        List<DependencySpec> after = d.job().spec().after();
        for (int i = 0; i < after.size(); i++) {
            boolean lastChild = i == after.size() - 1;
            node(client, after.get(i).job(), after.get(i), childPrefix + (lastChild ? "└─ " : "├─ "),
                    childPrefix + (lastChild ? "   " : "│  "), read, expanded, out);
        }
    }

    private JobDetail fetch(NightshiftClient client, String jobId, Map<String, JobDetail> read) {
        if (read.size() >= MAX_JOBS) throw new CliException(CliException.FAILED, "the graph has more than " + MAX_JOBS + " jobs; showing stops here");
        JobDetail d;
        try {
            d = client.get(jobId);
        } catch (NightshiftException e) {
            if (e.status() != 404 || jobId.equals(id)) throw e;
            d = null;
        }
        read.put(jobId, d);
        return d;
    }
}
