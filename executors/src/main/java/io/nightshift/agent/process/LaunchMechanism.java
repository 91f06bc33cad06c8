package io.nightshift.agent.process;

/**
 * How this JVM starts child processes: the JDK's {@code jdk.lang.Process.launchMechanism}.
 *
 * <p>On Linux the JDK 17 default is {@code POSIX_SPAWN}, which does not start the command itself: it spawns
 * {@code jspawnhelper}, a second executable that reads the child's set-up from a pipe and then execs the
 * command, so every process costs two execs. {@code VFORK} (the Linux default of JDK 8 to 11, kept by the
 * JDK since) execs the command straight from the vfork(2) child. Measured with {@code nightshift bench}'s
 * floor on the 2-core VM (8 threads starting {@code /bin/true}): VFORK starts 2.5-2.7x as many processes per
 * second as POSIX_SPAWN (see docs/benchmarks.md, "Launch path"), and the agent starts at least two
 * processes per task.
 *
 * <p>JDK 25 deprecates VFORK (it prints a warning on every start), so it is the default only before JDK 24; a
 * mechanism chosen on the command line ({@code -Djdk.lang.Process.launchMechanism=...}) always wins. The
 * property is read once, when the JVM first starts a process: {@link #applyDefault()} must run before that
 * (first thing in {@code main}).
 */
public final class LaunchMechanism {
    public static final String PROPERTY = "jdk.lang.Process.launchMechanism";

    private LaunchMechanism() {
    }

    /** Sets this JVM's launch mechanism unless one was chosen; returns the one in effect (null: the JDK's default). */
    public static String applyDefault() {
        String chosen = choose(System.getProperty(PROPERTY), Runtime.version().feature(), System.getProperty("os.name", ""));
        if (chosen != null && System.getProperty(PROPERTY) == null) System.setProperty(PROPERTY, chosen);
        return chosen;
    }

    /** The mechanism in effect now (null: the JDK's default). */
    public static String current() {
        return System.getProperty(PROPERTY);
    }

    /** Pure: {@code configured} when set, else VFORK on Linux before JDK 24, else null (the JDK's default). */
    static String choose(String configured, int jdkFeature, String osName) {
        if (configured != null && !configured.isBlank()) return configured;
        return osName.toLowerCase(java.util.Locale.ROOT).startsWith("linux") && jdkFeature < 24 ? "VFORK" : null;
    }
}
