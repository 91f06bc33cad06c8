package io.nightshift.coordinator.pools;

import io.nightshift.api.Resources;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Per pool, the idle capacity it had by hour of the week (168 buckets, in the pool's local time so a DST
 * change does not shift the profile): the machines' latest idle capacity is summed once per
 * {@link #SAMPLE_EVERY} and folded into its hour's bucket with an exponential average ({@link #ALPHA}), so
 * recent weeks count most. The leader stores each pool's profile ({@link #snapshot}) whenever a sample was folded
 * in, and a coordinator that starts or becomes leader {@link #restore}s what was stored, so the profile survives a
 * restart. Time is an input; synchronized (the core thread writes, API threads read copies).
 */
public final class HourOfWeekProfile implements CapacityForecast {
    public static final Duration SAMPLE_EVERY = Duration.ofMinutes(1);
    /** Weight of a new sample in its bucket (a bucket gets ~60 samples a week). */
    public static final double ALPHA = 0.05;
    public static final int HOURS = 7 * 24;

    private record Observation(Instant at, Resources idle) {
    }

    private static final class Pool {
        ZoneId zone;
        final Map<String, Observation> agents = new HashMap<>();
        final double[] cpus = new double[HOURS];
        final double[] mem = new double[HOURS];
        final int[] samples = new int[HOURS];
        Instant nextSample;
    }

    private final Map<String, Pool> pools = new HashMap<>();

    /**
     * One pool's profile as it is stored (ns_pool_profiles, V14): its zone and, per hour of the week (168), the
     * averaged idle cpus and MiB and how many samples each bucket took.
     */
    public record Stored(int v, String id, String zone, double[] cpus, double[] memMb, int[] samples) {
        public static final int VERSION = 1;
    }

    /** The pool's profile to store; empty when the pool was never observed. */
    public synchronized Optional<Stored> snapshot(String pool) {
        Pool p = pools.get(pool);
        if (p == null) return Optional.empty();
        return Optional.of(new Stored(Stored.VERSION, pool, p.zone.getId(), p.cpus.clone(), p.mem.clone(), p.samples.clone()));
    }

    /**
     * Takes back a stored profile (at start or on becoming leader); the agents' latest observations start empty. A
     * document that is not one (another version, wrong bucket counts, an unknown zone) is refused with an
     * IllegalArgumentException naming the pool.
     */
    public synchronized void restore(Stored s) {
        if (s.v() != Stored.VERSION || s.cpus() == null || s.memMb() == null || s.samples() == null || s.cpus().length != HOURS
                || s.memMb().length != HOURS || s.samples().length != HOURS)
            throw new IllegalArgumentException("stored profile of pool " + s.id() + " is not a version-1 profile of " + HOURS + " hours");
        Pool p = pools.computeIfAbsent(s.id(), k -> new Pool());
        p.zone = ZoneId.of(s.zone());
        System.arraycopy(s.cpus(), 0, p.cpus, 0, HOURS);
        System.arraycopy(s.memMb(), 0, p.mem, 0, HOURS);
        System.arraycopy(s.samples(), 0, p.samples, 0, HOURS);
    }

    /** Hour of the week, Monday 00:00-01:00 local = 0 .. Sunday 23:00-24:00 = 167. */
    public static int hourOfWeek(Instant t, ZoneId zone) {
        ZonedDateTime z = t.atZone(zone);
        return (z.getDayOfWeek().getValue() - 1) * 24 + z.getHour();
    }

    /**
     * An agent of {@code pool} has {@code idle} at {@code now}; {@code zone}: the pool's local time. True when this
     * folded a sample into the pool's profile (at most once per {@link #SAMPLE_EVERY}): the time to store it.
     */
    public synchronized boolean observe(String pool, ZoneId zone, String agentId, Instant now, Resources idle) {
        Pool p = pools.computeIfAbsent(pool, k -> new Pool());
        p.zone = zone;
        p.agents.put(agentId, new Observation(now, idle));
        if (p.nextSample != null && now.isBefore(p.nextSample)) return false;
        p.nextSample = now.plus(SAMPLE_EVERY);
        double cpus = 0;
        double mem = 0;
        Instant fresh = now.minus(SAMPLE_EVERY.multipliedBy(2));
        p.agents.values().removeIf(o -> o.at().isBefore(fresh)); // a machine gone quiet no longer counts
        for (Observation o : p.agents.values()) {
            cpus += o.idle().cpus();
            mem += o.idle().memMb();
        }
        int h = hourOfWeek(now, zone);
        if (p.samples[h] == 0) {
            p.cpus[h] = cpus;
            p.mem[h] = mem;
        } else {
            p.cpus[h] += ALPHA * (cpus - p.cpus[h]);
            p.mem[h] += ALPHA * (mem - p.mem[h]);
        }
        p.samples[h]++;
        return true;
    }

    @Override
    public synchronized Optional<Resources> idleAt(String pool, Instant at) {
        Pool p = pools.get(pool);
        if (p == null) return Optional.empty();
        int h = hourOfWeek(at, p.zone);
        if (p.samples[h] == 0) return Optional.empty();
        return Optional.of(new Resources(Math.round(p.cpus[h] * 100) / 100d, Math.round(p.mem[h]), 0, 0));
    }

    /** The observed hours of a pool as {@code "Mon 22"} → idle, in week order (for the API and the dashboard). */
    public synchronized Map<String, Resources> profile(String pool) {
        Pool p = pools.get(pool);
        Map<String, Resources> out = new LinkedHashMap<>();
        if (p == null) return out;
        TreeMap<Integer, Resources> byHour = new TreeMap<>();
        for (int h = 0; h < HOURS; h++) {
            if (p.samples[h] > 0) byHour.put(h, new Resources(Math.round(p.cpus[h] * 100) / 100d, Math.round(p.mem[h]), 0, 0));
        }
        List<String> days = List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");
        byHour.forEach((h, r) -> out.put(days.get(h / 24) + " %02d".formatted(h % 24), r));
        return out;
    }
}
