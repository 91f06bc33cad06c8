package io.nightshift.examples;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A small, real JVM job: estimates π by Monte-Carlo sampling of the unit square. It needs nothing
 * but the JDK, so an agent can run it from {@code nightshift-examples.jar} alone.
 *
 * <pre>
 * usage: PiEstimator [samples] [seed]
 *   samples  how many random points, 1 .. 10,000,000,000 (default 5,000,000); underscores and
 *            commas are allowed as separators, and so is the form 1e6
 *   seed     seed of the random generator (default: derived from the clock; printed so a run can
 *            be repeated)
 * </pre>
 *
 * Prints about ten progress lines and then {@code pi = <estimate>} to stdout and exits 0. A bad argument
 * gets a message on stderr and exit code 2 ({@link #EXIT_USAGE}). When the task is killed
 * (SIGTERM), a shutdown hook prints how far it got, so the kill grace period can be seen at work.
 */
public final class PiEstimator {

    public static final long DEFAULT_SAMPLES = 5_000_000L;
    public static final long MAX_SAMPLES = 10_000_000_000L;
    public static final int EXIT_OK = 0;
    public static final int EXIT_USAGE = 2;
    static final String USAGE = "usage: PiEstimator [samples] [seed]  (samples 1.." + MAX_SAMPLES
            + ", default " + DEFAULT_SAMPLES + ")";

    private PiEstimator() {
    }

    public static void main(String[] args) {
        AtomicLong done = new AtomicLong();
        Thread hook = new Thread(() -> System.out.println(
                "terminated after " + done.get() + " samples; no final estimate"), "pi-terminated");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = run(args, System.out, System.err, done);
        Runtime.getRuntime().removeShutdownHook(hook);
        System.exit(code);
    }

    /** The whole job, minus the process exit: returns the exit code. {@code progress} tracks samples drawn. */
    static int run(String[] args, PrintStream out, PrintStream err, AtomicLong progress) {
        Params p;
        try {
            p = Params.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("PiEstimator: " + e.getMessage());
            err.println(USAGE);
            return EXIT_USAGE;
        }
        if (p.help()) {
            out.println(USAGE);
            return EXIT_OK;
        }
        String task = System.getenv().getOrDefault("NIGHTSHIFT_TASK_ID", "(not under nightshift)");
        out.printf(Locale.ROOT, "estimating pi with %,d samples, seed %d, task %s%n", p.samples(), p.seed(), task);
        long started = System.nanoTime();
        long[] nextReport = {Math.max(1, p.samples() / 10)};
        double pi = estimate(p.samples(), p.seed(), drawn -> {
            progress.set(drawn);
            if (drawn >= nextReport[0]) {
                out.printf(Locale.ROOT, "progress %3d%%  %,d samples%n", drawn * 100 / p.samples(), drawn);
                nextReport[0] += Math.max(1, p.samples() / 10);
            }
        });
        long millis = (System.nanoTime() - started) / 1_000_000;
        out.printf(Locale.ROOT, "pi = %.6f  (error %.6f, %d ms)%n", pi, Math.abs(pi - Math.PI), millis);
        return EXIT_OK;
    }

    /**
     * Monte-Carlo estimate of π from {@code samples} points drawn uniformly in [0,1)²: 4 × the
     * fraction inside the quarter circle. Deterministic for a given seed. {@code onProgress} is
     * called with the number of points drawn so far every 1,000 points and at the end.
     */
    public static double estimate(long samples, long seed, LongConsumer onProgress) {
        if (samples < 1) throw new IllegalArgumentException("samples must be at least 1, got " + samples);
        SplittableRandom random = new SplittableRandom(seed);
        long inside = 0;
        for (long i = 1; i <= samples; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            if (x * x + y * y < 1.0) inside++;
            if (i % 1_000 == 0 || i == samples) onProgress.accept(i);
        }
        return 4.0 * inside / samples;
    }

    /** Parsed command line. */
    record Params(long samples, long seed, boolean help) {

        static Params parse(String[] args) {
            if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
                return new Params(DEFAULT_SAMPLES, 0, true);
            }
            if (args.length > 2) {
                throw new IllegalArgumentException("expected at most 2 arguments (samples, seed), got " + args.length);
            }
            long samples = args.length >= 1 ? parseSamples(args[0]) : DEFAULT_SAMPLES;
            long seed = args.length == 2 ? parseSeed(args[1]) : System.nanoTime();
            return new Params(samples, seed, false);
        }

        static long parseSamples(String raw) {
            String s = raw.trim().replace("_", "").replace(",", "");
            if (!s.matches("-?[0-9]{1,30}(\\.[0-9]{1,30})?([eE][0-9]{1,2})?")) {
                throw new IllegalArgumentException("samples: '" + shorten(raw) + "' is not a number");
            }
            BigDecimal n = new BigDecimal(s);
            if (n.stripTrailingZeros().scale() > 0) {
                throw new IllegalArgumentException("samples: '" + shorten(raw) + "' is not a whole number");
            }
            if (n.compareTo(BigDecimal.ONE) < 0 || n.compareTo(BigDecimal.valueOf(MAX_SAMPLES)) > 0) {
                throw new IllegalArgumentException("samples: " + shorten(raw) + " is out of range 1.." + MAX_SAMPLES);
            }
            return n.longValueExact();
        }

        static long parseSeed(String raw) {
            try {
                return Long.parseLong(raw.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("seed: '" + shorten(raw) + "' is not a 64-bit integer");
            }
        }

        private static String shorten(String s) {
            return s.length() > 40 ? s.substring(0, 40) + "..." : s;
        }
    }
}
