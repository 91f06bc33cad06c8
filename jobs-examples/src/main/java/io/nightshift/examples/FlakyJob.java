package io.nightshift.examples;

import java.io.PrintStream;
import java.util.Map;

/**
 * A job that fails on purpose until its K-th attempt, to watch retries and back-off at work.
 *
 * <pre>
 * usage: FlakyJob [K]
 *   K  the attempt that succeeds, 1 .. 100 (default 3); attempts before it exit 3
 * </pre>
 *
 * The attempt number is the last dot-separated part of {@code NIGHTSHIFT_ATTEMPT_ID}
 * ({@code <jobId>.r<run>.<instance>.<attempt>}; the first attempt is 1). Give the job
 * {@code "retries": {"max": K-1}} or more for it to succeed in the end. Without that variable (not
 * run by Nightshift), or with a bad K, it prints why on stderr and exits 2.
 */
public final class FlakyJob {

    public static final int DEFAULT_SUCCEEDS_ON = 3;
    public static final int MAX_SUCCEEDS_ON = 100;
    public static final int EXIT_OK = 0;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_PLANNED_FAILURE = 3;
    static final String ATTEMPT_VAR = "NIGHTSHIFT_ATTEMPT_ID";
    static final String USAGE = "usage: FlakyJob [K]  (succeeds on attempt K, 1.." + MAX_SUCCEEDS_ON
            + ", default " + DEFAULT_SUCCEEDS_ON + "; reads " + ATTEMPT_VAR + ")";

    private FlakyJob() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** The whole job, minus the process exit: returns the exit code. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        int succeedsOn;
        int attempt;
        try {
            succeedsOn = parseSucceedsOn(args);
            attempt = attemptNumber(env.get(ATTEMPT_VAR));
        } catch (IllegalArgumentException e) {
            err.println("FlakyJob: " + e.getMessage());
            err.println(USAGE);
            return EXIT_USAGE;
        }
        out.println("attempt " + attempt + " of job " + env.getOrDefault("NIGHTSHIFT_JOB_ID", "?")
                + "; this job succeeds on attempt " + succeedsOn);
        if (attempt < succeedsOn) {
            err.println("failing on purpose: attempt " + attempt + " < " + succeedsOn + ", exit " + EXIT_PLANNED_FAILURE);
            return EXIT_PLANNED_FAILURE;
        }
        out.println("succeeded on attempt " + attempt);
        return EXIT_OK;
    }

    static int parseSucceedsOn(String[] args) {
        if (args.length > 1) {
            throw new IllegalArgumentException("expected at most 1 argument (K), got " + args.length);
        }
        if (args.length == 0) return DEFAULT_SUCCEEDS_ON;
        int k;
        try {
            k = Integer.parseInt(args[0].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("K: '" + shorten(args[0]) + "' is not a whole number");
        }
        if (k < 1 || k > MAX_SUCCEEDS_ON) {
            throw new IllegalArgumentException("K: " + k + " is out of range 1.." + MAX_SUCCEEDS_ON);
        }
        return k;
    }

    /** {@code hello.r1.0.2} → 2. */
    static int attemptNumber(String attemptId) {
        if (attemptId == null || attemptId.isBlank()) {
            throw new IllegalArgumentException(ATTEMPT_VAR + " is not set; run this job through Nightshift"
                    + " (or set it by hand, e.g. " + ATTEMPT_VAR + "=demo.r1.0.1)");
        }
        String last = attemptId.substring(attemptId.lastIndexOf('.') + 1);
        try {
            int n = Integer.parseInt(last);
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(ATTEMPT_VAR + "='" + shorten(attemptId)
                + "' does not end in an attempt number (expected <taskId>.<n>)");
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
