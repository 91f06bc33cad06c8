package io.nightshift.coordinator.scheduling;

import io.nightshift.api.Resources;
import io.nightshift.api.spec.Constraint;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reservation step of a cycle, and the check of the placement stack that protects what it reserved: EASY
 * backfill. (The reserved run itself is done for the cycle once it is reserved; the next cycle reserves
 * afresh, with the run first in line again.) The first task of each queue that cannot start for want of room (a whole gang, or a single task)
 * gets a {@link Reservation}: the earliest instant at which, by the running tasks' expected ends, enough room
 * frees up on agents its shape may use, and which agents those are. After that, in the same cycle, a task may
 * go on a reserved agent only when
 * <ul>
 *   <li>it ends before the agent's earliest reservation starts ({@code now + maxRuntime ≤ start}), or</li>
 *   <li>it fits into what the agent has left at that start once the reservations there are served
 *       (the slack).</li>
 * </ul>
 * So backfill never moves a reservation's start later: at the start every reserved agent still has the room.
 * Tasks without a {@code maxRuntime} never free room for a reservation and never backfill before one except
 * into slack. Later reservations in a cycle count the earlier ones' room as taken from now on (conservative:
 * an earlier-ordered run is never delayed by a later one).
 *
 * <p>Costs: the running tasks sorted by expected end once per cycle (only when some task needs a reservation),
 * then O(A + R) per reservation, at most one per queue and cycle; the check is O(1).
 */
final class Reservations implements SchedulingFilter {

    /** A running task's room coming free on an agent. */
    private record Release(Instant at, int agent, Resources resources) {
    }

    private final Ledger ledger;
    private final List<Reservation> made = new ArrayList<>();
    private final boolean[] queueTried;
    private List<Release> releases;
    // per agent, once some reservation is there: its earliest start, what is left over then (may go negative
    // only through rounding), and which reservation (for the message)
    private Instant[] startOn;
    private double[] slackCpus;
    private long[] slackMem, slackDisk;
    private int[] slackGpus;
    private Reservation[] firstOn;

    Reservations(Ledger ledger) {
        this.ledger = ledger;
        this.queueTried = new boolean[ledger.queues.length];
    }

    /** The reservations made this cycle, in the order they were made. */
    List<Reservation> made() {
        return List.copyOf(made);
    }

    /**
     * Reserves room for {@code members} (all instances of one run, alike) of queue {@code q} when they are the
     * first of their queue this cycle to ask and the running tasks' expected ends give room after now; null
     * otherwise. {@code shape} is the members' shape: agents it vetoed STATICally are not considered.
     */
    Reservation reserve(List<PendingTask> members, QueueState q, Shape shape) {
        if (queueTried[q.idx]) return null;
        queueTried[q.idx] = true;
        int n = ledger.n;
        if (n == 0 || members.isEmpty()) return null;
        PendingTask first = members.get(0);
        Resources ask = first.resources();
        if (ask.cpus() < Veto.EPS && ask.memMb() == 0 && ask.diskMb() == 0 && ask.gpus() == 0) return null;
        int perAgentCap = unique(first.constraints()) ? 1 : Integer.MAX_VALUE;
        int need = members.size();
        AgentIndex ix = ledger.index;
        double[] cpus = new double[n];
        long[] mem = new long[n], disk = new long[n];
        int[] gpus = new int[n];
        int[] count = new int[n];
        boolean[] usable = new boolean[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            usable[i] = !shape.isStatic(i) && fitsTotal(i, ask);
            cpus[i] = ix.cpus[i];
            mem[i] = ix.memMb[i];
            disk[i] = ix.diskMb[i];
            gpus[i] = ix.gpus[i];
            if (usable[i]) count[i] = fitCount(cpus[i], mem[i], disk[i], gpus[i], ask, perAgentCap);
        }
        subtractReserved(cpus, mem, disk, gpus, usable, count, ask, perAgentCap);
        for (int i = 0; i < n; i++) total += count[i];
        if (total >= need) return null;   // room now: something other than room keeps it waiting
        Instant start = null;
        for (Release r : releases()) {
            int a = r.agent;
            cpus[a] += r.resources.cpus();
            mem[a] += r.resources.memMb();
            disk[a] += r.resources.diskMb();
            gpus[a] += r.resources.gpus();
            if (!usable[a]) continue;
            int c = fitCount(cpus[a], mem[a], disk[a], gpus[a], ask, perAgentCap);
            total += c - count[a];
            count[a] = c;
            if (total >= need) {
                start = r.at.isAfter(ledger.now) ? r.at : ledger.now.plusSeconds(1);
                break;
            }
        }
        if (start == null) return null;
        Map<String, Resources> agents = new LinkedHashMap<>();
        int left = need;
        int[] take = new int[n];
        for (int i = 0; i < n && left > 0; i++) {
            if (count[i] <= 0) continue;
            take[i] = Math.min(count[i], left);
            left -= take[i];
            agents.put(ledger.agents[i].agentId(), times(ask, take[i]));
        }
        Reservation res = new Reservation(first.runId(), first.jobId(), q.name, need, start, agents);
        book(res, take, ask, cpus, mem, disk, gpus, start);
        made.add(res);
        return res;
    }

    /** Books {@code res} on its agents: the earliest start there and what is left over at it. */
    private void book(Reservation res, int[] take, Resources ask, double[] cpusAtStart, long[] memAtStart,
                      long[] diskAtStart, int[] gpusAtStart, Instant start) {
        int n = ledger.n;
        if (startOn == null) {
            startOn = new Instant[n];
            firstOn = new Reservation[n];
            slackCpus = new double[n];
            slackMem = new long[n];
            slackDisk = new long[n];
            slackGpus = new int[n];
        }
        for (int i = 0; i < n; i++) {
            if (take[i] == 0) continue;
            double c = cpusAtStart[i] - ask.cpus() * take[i];
            long m = memAtStart[i] - ask.memMb() * take[i];
            long d = diskAtStart[i] - ask.diskMb() * take[i];
            int g = gpusAtStart[i] - ask.gpus() * take[i];
            if (startOn[i] == null) {
                startOn[i] = start;
                firstOn[i] = res;
                slackCpus[i] = c;
                slackMem[i] = m;
                slackDisk[i] = d;
                slackGpus[i] = g;
            } else {   // a second reservation on the agent: the smaller slack, the earlier start
                if (start.isBefore(startOn[i])) {
                    startOn[i] = start;
                    firstOn[i] = res;
                }
                slackCpus[i] = Math.min(slackCpus[i] - ask.cpus() * take[i], c);
                slackMem[i] = Math.min(slackMem[i] - ask.memMb() * take[i], m);
                slackDisk[i] = Math.min(slackDisk[i] - ask.diskMb() * take[i], d);
                slackGpus[i] = Math.min(slackGpus[i] - ask.gpus() * take[i], g);
            }
        }
    }

    /** Earlier reservations' room counts as taken from now on, for a later one. */
    private void subtractReserved(double[] cpus, long[] mem, long[] disk, int[] gpus, boolean[] usable, int[] count,
                                  Resources ask, int cap) {
        for (Reservation r : made) {
            for (Map.Entry<String, Resources> e : r.agents().entrySet()) {
                Integer i = ledger.indexOf(e.getKey());
                if (i == null) continue;
                Resources x = e.getValue();
                cpus[i] -= x.cpus();
                mem[i] -= x.memMb();
                disk[i] -= x.diskMb();
                gpus[i] -= x.gpus();
                count[i] = usable[i] ? fitCount(cpus[i], mem[i], disk[i], gpus[i], ask, cap) : 0;
            }
        }
    }

    /** Running tasks with an expected end (terminating ones end now), earliest first. */
    private List<Release> releases() {
        if (releases != null) return releases;
        List<Release> out = new ArrayList<>();
        for (RunningTask t : ledger.snap.running()) {
            Instant end = t.terminating() ? ledger.now : t.expectedEnd();
            if (end == null) continue;
            Integer i = ledger.indexOf(t.agentId());
            if (i == null) continue;
            out.add(new Release(end.isBefore(ledger.now) ? ledger.now : end, i, t.resources()));
        }
        Release[] a = out.toArray(new Release[0]);
        Arrays.sort(a, (x, y) -> {
            int c = x.at.compareTo(y.at);
            return c != 0 ? c : Integer.compare(x.agent, y.agent);
        });
        releases = List.of(a);
        return releases;
    }

    // ---------------------------------------------------------------- the check

    @Override
    public List<Veto> filter(PendingTask task, int agent, Ledger l) {
        return check(task, agent, l) == null ? List.of() : List.of(veto(agent));
    }

    @Override
    public Veto.Kind check(PendingTask task, int agent, Ledger l) {
        if (startOn == null || startOn[agent] == null) return null;
        Duration max = task.maxRuntime();
        if (max != null && !ledger.now.plus(max).isAfter(startOn[agent])) return null;
        Resources r = task.resources();
        if (r.cpus() <= slackCpus[agent] + Veto.EPS && r.memMb() <= slackMem[agent] && r.diskMb() <= slackDisk[agent]
                && r.gpus() <= slackGpus[agent]) return null;
        return Veto.Kind.DYNAMIC;
    }

    @Override
    public void explain(PendingTask task, int agent, Ledger l, VetoSink sink) {
        if (check(task, agent, l) != null) sink.add(veto(agent));
    }

    /** Backfill on reserved agents depends on the task's run time. */
    @Override
    public Object shapeKey(PendingTask task) {
        return task.maxRuntime();
    }

    private Veto veto(int agent) {
        Reservation r = firstOn[agent];
        return Veto.of(VetoCode.RESERVED, Veto.Kind.DYNAMIC, "reserved from %s for %s of queue %s; the task would still run then"
                .formatted(r.start(), r.runId(), r.queue()));
    }

    /** {@code t} was placed on {@code agent}: if it still runs at the agent's reservation, it used slack. */
    void placed(PendingTask t, int agent) {
        if (usesSlack(t, agent)) addSlack(agent, t.resources(), -1);
    }

    /** A tentative placement of {@code t} on {@code agent} was rolled back (a gang that did not start). */
    void unplaced(PendingTask t, int agent) {
        if (usesSlack(t, agent)) addSlack(agent, t.resources(), 1);
    }

    private boolean usesSlack(PendingTask t, int agent) {
        if (startOn == null || startOn[agent] == null) return false;
        Duration max = t.maxRuntime();
        return max == null || ledger.now.plus(max).isAfter(startOn[agent]);
    }

    private void addSlack(int agent, Resources r, int sign) {
        slackCpus[agent] += sign * r.cpus();
        slackMem[agent] += sign * r.memMb();
        slackDisk[agent] += sign * r.diskMb();
        slackGpus[agent] += sign * r.gpus();
    }

    // ---------------------------------------------------------------- arithmetic

    private boolean fitsTotal(int i, Resources ask) {
        Resources total = ledger.agents[i].total();
        return total == null || total.fits(ask);
    }

    /** Whole instances of {@code ask} that fit into the given room, at most {@code cap}. */
    static int fitCount(double cpus, long mem, long disk, int gpus, Resources ask, int cap) {
        long k = cap;
        if (ask.cpus() > 0) k = Math.min(k, (long) Math.floor((cpus + Veto.EPS) / ask.cpus()));
        if (ask.memMb() > 0) k = Math.min(k, mem / ask.memMb());
        if (ask.diskMb() > 0) k = Math.min(k, disk / ask.diskMb());
        if (ask.gpus() > 0) k = Math.min(k, gpus / ask.gpus());
        if (cpus < -Veto.EPS || mem < 0 || disk < 0 || gpus < 0) return 0;
        return (int) Math.max(0, k);
    }

    private static Resources times(Resources r, int k) {
        return new Resources(r.cpus() * k, r.memMb() * k, r.diskMb() * k, r.gpus() * k);
    }

    private static boolean unique(List<Constraint> cs) {
        for (Constraint c : cs) {
            if (c.operator() == Constraint.Operator.UNIQUE) return true;
        }
        return false;
    }
}
