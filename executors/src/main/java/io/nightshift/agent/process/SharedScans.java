package io.nightshift.agent.process;

/**
 * One reading of {@code /proc} for all the callers that ask while one is being taken, like a journal's group
 * commit. A caller gets a reading that <em>began after it asked</em>, never an older one: a tree kill freezes
 * the attempt's cgroup, then scans, and must not get a reading from before the freeze. Each call takes a
 * ticket; a reading covers the tickets issued before it began; a caller whose ticket is not covered by the
 * reading in progress waits for the next one, which it may take itself.
 */
final class SharedScans {
    private final java.util.function.Supplier<ProcTable.Snapshot> read;
    private long issued;
    private long covered;
    private boolean reading;
    private ProcTable.Snapshot last;
    private long readings;

    /** {@code read}: takes one reading now. */
    SharedScans(java.util.function.Supplier<ProcTable.Snapshot> read) {
        this.read = read;
    }

    ProcTable.Snapshot fresh() {
        long covers;
        synchronized (this) {
            long ticket = ++issued;
            while (true) {
                if (last != null && covered >= ticket) return last;
                if (!reading) break;
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for a /proc reading", e);
                }
            }
            reading = true;
            covers = issued;
        }
        ProcTable.Snapshot s = null;
        try {
            s = read.get();
            return s;
        } finally {
            synchronized (this) {
                reading = false;
                if (s != null) {
                    last = s;
                    covered = covers;
                    readings++;
                }
                notifyAll();
            }
        }
    }

    /** Readings taken so far (for tests: fewer than calls when callers shared). */
    synchronized long readings() {
        return readings;
    }
}
