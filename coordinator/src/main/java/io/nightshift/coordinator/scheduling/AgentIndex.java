package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;

/**
 * What every agent has free during one cycle, indexed so a task finds agents with room for it without
 * looking at the others: a max-tree (segment tree) over agents in id order holding, per subtree, the
 * largest free amount of each dimension. A subtree whose largest free cpus (or memMb, diskMb, gpus) is
 * below what the task asks cannot hold a fitting agent and is skipped whole.
 *
 * <p>Costs: build O(A); {@link #take}/{@link #give} O(log A); {@link #find} O(log A) per agent it
 * reports or rejects for reasons the tree does not know (constraints, claims). Mutable, one per cycle.
 */
final class AgentIndex {

    /** Decides about an agent that has room, for what the tree does not know. */
    interface Accept {
        boolean test(int agent);
    }

    final int size;
    final double[] cpus;
    final long[] memMb;
    final long[] diskMb;
    final int[] gpus;

    private final int leaves;
    private final double[] maxCpus;
    private final long[] maxMem;
    private final long[] maxDisk;
    private final int[] maxGpus;

    // search state, reused: find() is not reentrant
    private double askCpus;
    private long askMem, askDisk;
    private int askGpus;
    private int from, limit, found;
    private int[] out;
    private Accept accept;

    AgentIndex(AgentSlot[] agents) {
        size = agents.length;
        cpus = new double[size];
        memMb = new long[size];
        diskMb = new long[size];
        gpus = new int[size];
        int l = 1;
        while (l < Math.max(1, size)) l <<= 1;
        leaves = l;
        maxCpus = new double[2 * l];
        maxMem = new long[2 * l];
        maxDisk = new long[2 * l];
        maxGpus = new int[2 * l];
        java.util.Arrays.fill(maxCpus, -1);
        java.util.Arrays.fill(maxMem, -1);
        java.util.Arrays.fill(maxDisk, -1);
        java.util.Arrays.fill(maxGpus, -1);
        for (int i = 0; i < size; i++) {
            Resources f = agents[i].free();
            cpus[i] = f.cpus();
            memMb[i] = f.memMb();
            diskMb[i] = f.diskMb();
            gpus[i] = f.gpus();
            int n = l + i;
            maxCpus[n] = cpus[i];
            maxMem[n] = memMb[i];
            maxDisk[n] = diskMb[i];
            maxGpus[n] = gpus[i];
        }
        for (int n = l - 1; n >= 1; n--) pull(n);
    }

    Resources free(int agent) {
        return new Resources(cpus[agent], memMb[agent], diskMb[agent], gpus[agent]);
    }

    boolean isZero(int agent) {
        return cpus[agent] < Veto.EPS && memMb[agent] == 0 && diskMb[agent] == 0 && gpus[agent] == 0;
    }

    boolean fits(int agent, Resources asked) {
        return asked.cpus() <= cpus[agent] + Veto.EPS && asked.memMb() <= memMb[agent] && asked.diskMb() <= diskMb[agent]
                && asked.gpus() <= gpus[agent];
    }

    /** Takes {@code asked} out of {@code agent}'s free resources (clamped at zero; see {@link OfferCycle#take}). */
    void take(int agent, Resources asked) {
        double c = Math.max(0, cpus[agent] - asked.cpus());
        double tidy = Math.round(c * 10_000d) / 10_000d;
        cpus[agent] = Math.abs(tidy - c) < 1e-9 ? tidy : c;
        memMb[agent] = Math.max(0, memMb[agent] - asked.memMb());
        diskMb[agent] = Math.max(0, diskMb[agent] - asked.diskMb());
        gpus[agent] = Math.max(0, gpus[agent] - asked.gpus());
        update(agent);
    }

    /** Gives {@code amount} back to {@code agent} (a rolled-back gang, a released hold). */
    void give(int agent, Resources amount) {
        double c = cpus[agent] + amount.cpus();
        double tidy = Math.round(c * 10_000d) / 10_000d;
        cpus[agent] = Math.abs(tidy - c) < 1e-9 ? tidy : c;
        memMb[agent] += amount.memMb();
        diskMb[agent] += amount.diskMb();
        gpus[agent] += amount.gpus();
        update(agent);
    }

    /** Sets {@code agent}'s free resources exactly (undoing a take or a give). */
    void set(int agent, double c, long m, long d, int g) {
        cpus[agent] = c;
        memMb[agent] = m;
        diskMb[agent] = d;
        gpus[agent] = g;
        update(agent);
    }

    /** The largest free amount of each dimension over all agents (not necessarily on one agent). */
    Resources largestFree() {
        return size == 0 ? Resources.ZERO
                : new Resources(Math.max(0, maxCpus[1]), Math.max(0, maxMem[1]), Math.max(0, maxDisk[1]), Math.max(0, maxGpus[1]));
    }

    /**
     * Fills {@code out} with up to {@code out.length} agents, in id order from {@code start}, that have room
     * for {@code asked} and that {@code accept} takes; returns how many.
     */
    int find(Resources asked, int start, int[] out, Accept accept) {
        if (size == 0 || start >= size) return 0;
        this.askCpus = asked.cpus() - Veto.EPS;
        this.askMem = asked.memMb();
        this.askDisk = asked.diskMb();
        this.askGpus = asked.gpus();
        this.from = start;
        this.limit = out.length;
        this.out = out;
        this.accept = accept;
        this.found = 0;
        search(1, 0, leaves);
        this.out = null;
        this.accept = null;
        return found;
    }

    private void search(int node, int lo, int hi) {
        if (hi <= from || lo >= size || !room(node)) return;
        if (hi - lo == 1) {
            if (accept.test(lo)) out[found++] = lo;
            return;
        }
        int mid = (lo + hi) >>> 1;
        search(2 * node, lo, mid);
        if (found < limit) search(2 * node + 1, mid, hi);
    }

    private boolean room(int node) {
        return maxCpus[node] >= askCpus && maxMem[node] >= askMem && maxDisk[node] >= askDisk && maxGpus[node] >= askGpus;
    }

    private void update(int agent) {
        int n = leaves + agent;
        maxCpus[n] = cpus[agent];
        maxMem[n] = memMb[agent];
        maxDisk[n] = diskMb[agent];
        maxGpus[n] = gpus[agent];
        for (n >>= 1; n >= 1; n >>= 1) pull(n);
    }

    private void pull(int n) {
        int a = 2 * n, b = a + 1;
        maxCpus[n] = Math.max(maxCpus[a], maxCpus[b]);
        maxMem[n] = Math.max(maxMem[a], maxMem[b]);
        maxDisk[n] = Math.max(maxDisk[a], maxDisk[b]);
        maxGpus[n] = Math.max(maxGpus[a], maxGpus[b]);
    }
}
