package io.nightshift.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Nightshift daemon in a JVM of its own on the current classpath, to be stopped or killed for real. */
abstract class ForkedJvm implements AutoCloseable {
    protected final Process process;

    protected ForkedJvm(Process process) {
        this.process = process;
    }

    /** {@code java -Xmx<heap> -cp <this classpath> <mainClass> <args...>}. */
    static List<String> command(String heap, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        return cmd;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9: no shutdown hook, no flush, nothing. */
    public void killHard() {
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM (its shutdown hook runs), then kill -9 if it is still there after 30 s. */
    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) killHard();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
