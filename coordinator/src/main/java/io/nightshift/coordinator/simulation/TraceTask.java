package io.nightshift.coordinator.simulation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * One task of a workload trace: when it is submitted, how long it runs once placed, what it asks and
 * where it goes. Readers for the Standard Workload Format and a simple CSV.
 */
public record TraceTask(double submitSeconds, double durationSeconds, double cpus, long memMb, String queue) {

    /**
     * Standard Workload Format (Feitelson's Parallel Workloads Archive): {@code ;} comment lines, then 18
     * whitespace-separated fields per job; -1 means unknown. Used: 2 submit time (s), 4 run time (s),
     * 5 allocated processors (else 8 requested), 7 used memory in KB per processor (else 10 requested),
     * 15 queue number. Processors become cpus (capped at {@code maxCpus}); memory defaults to
     * {@code defaultMemMb}; queue number n maps to {@code queues[n mod queues.size()]}. Jobs without a run
     * time or processors are skipped.
     */
    public static List<TraceTask> readSwf(Reader in, List<String> queues, double maxCpus, long defaultMemMb) throws IOException {
        List<TraceTask> out = new ArrayList<>();
        BufferedReader r = new BufferedReader(in);
        int lineNo = 0;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            lineNo++;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith(";")) continue;
            String[] f = s.split("\\s+");
            if (f.length < 18) throw new IOException("SWF line %d: expected 18 fields, got %d".formatted(lineNo, f.length));
            double submit = Double.parseDouble(f[1]);
            double run = Double.parseDouble(f[3]);
            double procs = Double.parseDouble(f[4]) > 0 ? Double.parseDouble(f[4]) : Double.parseDouble(f[7]);
            if (run <= 0 || procs <= 0 || submit < 0) continue;
            double memKbPerProc = Double.parseDouble(f[6]) > 0 ? Double.parseDouble(f[6]) : Double.parseDouble(f[9]);
            long mem = memKbPerProc > 0 ? Math.max(1, Math.round(memKbPerProc * procs / 1024)) : defaultMemMb;
            int qn = (int) Math.max(0, Double.parseDouble(f[14]));
            out.add(new TraceTask(submit, run, Math.min(procs, maxCpus), mem, queues.get(qn % queues.size())));
        }
        return out;
    }

    /** CSV {@code submit_s,duration_s,cpus,mem_mb,queue}, one task per line; a header line is allowed; # comments. */
    public static List<TraceTask> readCsv(Reader in) throws IOException {
        List<TraceTask> out = new ArrayList<>();
        BufferedReader r = new BufferedReader(in);
        int lineNo = 0;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            lineNo++;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#") || (lineNo == 1 && s.startsWith("submit"))) continue;
            String[] f = s.split(",");
            if (f.length != 5) throw new IOException("CSV line %d: expected submit_s,duration_s,cpus,mem_mb,queue".formatted(lineNo));
            try {
                out.add(new TraceTask(Double.parseDouble(f[0].strip()), Double.parseDouble(f[1].strip()),
                        Double.parseDouble(f[2].strip()), Long.parseLong(f[3].strip()), f[4].strip()));
            } catch (NumberFormatException e) {
                throw new IOException("CSV line %d: %s".formatted(lineNo, e.getMessage()), e);
            }
        }
        return out;
    }
}
