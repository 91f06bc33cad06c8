package io.nightshift.coordinator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Packet filter rules on the loopback interface (iptables, as root) that cut traffic between two
 * 127.0.0.x addresses in both directions, for partition tests: packets are dropped, not refused, as on a
 * real network that splits. Every rule carries a comment naming this test run; {@link #close} deletes the
 * rules it added (call it in a finally block), and {@link #healAll} those of one cut.
 */
final class LoopbackFirewall implements AutoCloseable {
    private final String tag;
    private final List<List<String>> added = new ArrayList<>();

    LoopbackFirewall(String tag) {
        this.tag = "nightshift-test-" + tag;
        if (!available())
            throw new IllegalStateException("partition tests need iptables as root (apt-get install -y iptables; .ci/run installs it)");
    }

    static boolean available() {
        try {
            return run(List.of("iptables", "-S", "INPUT")) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Drops every packet between {@code a} and {@code b} (both 127.0.0.x, not 127.0.0.1). */
    void cut(String a, String b) throws IOException {
        for (String[] pair : new String[][] {{a, b}, {b, a}}) {
            List<String> rule = List.of("INPUT", "-s", pair[0], "-d", pair[1], "-m", "comment", "--comment", tag, "-j", "DROP");
            List<String> cmd = new ArrayList<>(List.of("iptables", "-I"));
            cmd.addAll(rule);
            if (run(cmd) != 0) throw new IOException("iptables refused " + cmd);
            added.add(rule);
        }
    }

    /** Deletes every rule this firewall added. */
    void healAll() {
        for (List<String> rule : added) {
            List<String> cmd = new ArrayList<>(List.of("iptables", "-D"));
            cmd.addAll(rule);
            try {
                run(cmd);
            } catch (IOException e) {
                // nothing more to do: the rule is reported by close()
            }
        }
        added.clear();
    }

    private static int run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        healAll();
    }
}
