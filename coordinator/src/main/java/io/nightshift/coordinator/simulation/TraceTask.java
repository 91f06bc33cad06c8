package io.nightshift.coordinator.simulation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * One job of a workload trace: when it is submitted, how long it runs once started, what it asks in total and
 * where it goes; for a Standard Workload Format trace also what it asked to run at most and how long that
 * machine's own scheduler made it wait. Readers for SWF and a simple CSV, plain or gzip'ed.
 *
 * @param cpus           cpus of the whole job (a job wider than one agent becomes a gang of instances)
 * @param requestedSeconds the run time the job asked for, the job's {@code maxRuntime}; NaN when unknown
 * @param recordedWaitSeconds the wait the trace recorded (SWF field 3); NaN when unknown
 */
public record TraceTask(double submitSeconds, double durationSeconds, double cpus, long memMb, String queue,
                        double requestedSeconds, double recordedWaitSeconds) {

    /** Without a requested time or a recorded wait (CSV). */
    public TraceTask(double submitSeconds, double durationSeconds, double cpus, long memMb, String queue) {
        this(submitSeconds, durationSeconds, cpus, memMb, queue, Double.NaN, Double.NaN);
    }

    /**
     * Standard Workload Format (Feitelson's Parallel Workloads Archive): {@code ;} comment lines, then 18
     * whitespace-separated fields per job; -1 means unknown. Used: 2 submit time (s), 3 wait time (s, what that
     * machine's scheduler did), 4 run time (s), 5 allocated processors (else 8 requested), 7 used memory in KB
     * per processor (else 10 requested), 9 requested time (s), 15 queue number. Processors become cpus (not
     * capped: the simulator makes a job wider than one agent a gang); memory defaults to {@code defaultMemMb}
     * per processor; queue number n maps to {@code queues[n mod queues.size()]}. Jobs without a run time or
     * processors are skipped.
     */
    public static List<TraceTask> readSwf(Reader in, List<String> queues, long defaultMemMb) throws IOException {
        List<TraceTask> out = new ArrayList<>();
        BufferedReader r = new BufferedReader(in);
        int lineNo = 0;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            lineNo++;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith(";")) continue;
            String[] f = s.split("\\s+");
            if (f.length < 18) throw new IOException("SWF line %d: expected 18 fields, got %d".formatted(lineNo, f.length));
            try {
                double submit = Double.parseDouble(f[1]);
                double wait = Double.parseDouble(f[2]);
                double run = Double.parseDouble(f[3]);
                double procs = Double.parseDouble(f[4]) > 0 ? Double.parseDouble(f[4]) : Double.parseDouble(f[7]);
                if (run <= 0 || procs <= 0 || submit < 0) continue;
                double memKbPerProc = Double.parseDouble(f[6]) > 0 ? Double.parseDouble(f[6]) : Double.parseDouble(f[9]);
                long mem = memKbPerProc > 0 ? Math.max(1, Math.round(memKbPerProc * procs / 1024)) : defaultMemMb * (long) Math.ceil(procs);
                double requested = Double.parseDouble(f[8]);
                int qn = (int) Math.max(0, Double.parseDouble(f[14]));
                out.add(new TraceTask(submit, run, procs, mem, queues.get(qn % queues.size()), requested > 0 ? requested : Double.NaN,
                        wait >= 0 ? wait : Double.NaN));
            } catch (NumberFormatException e) {
                throw new IOException("SWF line %d: %s".formatted(lineNo, e.getMessage()), e);
            }
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

    /** A reader of {@code file}, gunzipped when its name ends in {@code .gz}. */
    public static Reader open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) in = new GZIPInputStream(in, 1 << 16);
        return new InputStreamReader(in, StandardCharsets.UTF_8);
    }
}
