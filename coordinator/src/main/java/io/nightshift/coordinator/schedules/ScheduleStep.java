package io.nightshift.coordinator.schedules;

import io.nightshift.api.model.ScheduleState;
import io.nightshift.api.spec.ScheduleSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The core step that decides, from the snapshot's time, which scheduled times of a job fire now. Pure: the
 * same input gives the same decision; the leader stores the new {@link ScheduleState} in the same turn as the
 * run it opens, so a new leader starts from exactly what was decided.
 *
 * <p>One call: the scheduled times after the cursor up to {@code now} are taken in order. A time due more than
 * {@code missedAfter} ago was <em>missed</em> (the leader was down, or cut off): the missed-run policy says
 * whether one run stands for all of them ({@code run-once}), none runs ({@code skip}) or each runs, at most
 * {@code missedCap} of them, oldest first ({@code run-all}). The others are on time and are owed a run. Then the
 * concurrency policy: with no run going, the oldest owed time starts; with one going, {@code forbid} keeps up to
 * {@code missedCap} owed times waiting (dropping the oldest), {@code replace} asks to kill the running run and
 * keeps only the newest. A paused schedule decides nothing.
 */
public final class ScheduleStep {
    /**
     * At most this many missed times are walked one by one; beyond it the rest are skipped in one jump (and not
     * counted), so a long downtime of a fast schedule costs bounded work on the leader's thread.
     */
    static final int MAX_WALK = 1_000;

    private ScheduleStep() {
    }

    /**
     * What to do now.
     *
     * @param state          the new standing (equal to the old one when nothing changed: no write needed)
     * @param start          the scheduled time whose run opens now, or null
     * @param replaceRunning the running run should be killed (concurrency replace, a newer firing came)
     * @param skipped        how many scheduled times this decision dropped
     */
    public record Decision(ScheduleState state, Instant start, boolean replaceRunning, long skipped) {
        /** True when the schedule will never fire again and owes nothing (an {@code at} that fired). */
        public boolean exhausted() {
            return state.nextFireAt() == null && state.owed().isEmpty() && start == null;
        }
    }

    /** The standing of a schedule submitted at {@code submittedAt}: the first firing is the first time after it. */
    public static ScheduleState initial(ScheduleSpec spec, FireTimes times, Instant submittedAt) {
        Instant cursor = submittedAt;
        if (spec.at() != null && !spec.at().isAfter(submittedAt)) cursor = spec.at().minusNanos(1); // due at once
        return new ScheduleState(cursor, List.of(), false, times.next(cursor), 0, 0);
    }

    /** Resumed at {@code now}: the times that passed while paused are skipped. */
    public static ScheduleState resume(ScheduleState s, FireTimes times, Instant now) {
        Instant cursor = s.cursor().isAfter(now) ? s.cursor() : now;
        return new ScheduleState(cursor, s.owed(), false, times.next(cursor), s.fired(), s.skipped());
    }

    public static ScheduleState pause(ScheduleState s) {
        return new ScheduleState(s.cursor(), s.owed(), true, s.nextFireAt(), s.fired(), s.skipped());
    }

    public static Decision decide(ScheduleSpec spec, FireTimes times, ScheduleState s, Instant now, boolean runGoing) {
        if (s.paused()) return new Decision(s, null, false, 0);
        List<Instant> owed = new ArrayList<>(s.owed());
        int owedBefore = owed.size();
        long skipped = 0;
        Instant cursor = s.cursor();
        Instant lateLimit = now.minus(spec.missedAfter());
        Instant lastMissed = null;
        long missed = 0;
        List<Instant> missedToRun = new ArrayList<>();
        List<Instant> onTime = new ArrayList<>();
        int walked = 0;
        for (Instant t = times.next(cursor); t != null && !t.isAfter(now); t = times.next(cursor)) {
            if (t.isBefore(lateLimit)) {
                missed++;
                lastMissed = t;
                if (spec.missed() == ScheduleSpec.Missed.RUN_ALL && missedToRun.size() < spec.missedCap()) missedToRun.add(t);
                if (++walked >= MAX_WALK) { // a long downtime of a fast schedule: skip the rest of the missed ones at once
                    cursor = lateLimit.minusNanos(1);
                    continue;
                }
            } else {
                onTime.add(t);
            }
            cursor = t;
        }
        switch (spec.missed()) {
            case RUN_ALL -> {
                owed.addAll(missedToRun);
                skipped += missed - missedToRun.size();
            }
            case RUN_ONCE -> {
                if (lastMissed != null && onTime.isEmpty()) {
                    owed.add(lastMissed);
                    skipped += missed - 1;
                } else {
                    skipped += missed;   // an on-time firing stands for the missed ones
                }
            }
            case SKIP -> skipped += missed;
        }
        owed.addAll(onTime);
        boolean newFiring = owed.size() > owedBefore;

        Instant start = null;
        boolean replace = false;
        if (spec.concurrency() == ScheduleSpec.Concurrency.REPLACE && owed.size() > 1) {
            skipped += owed.size() - 1;  // replace: only the newest firing matters
            owed = new ArrayList<>(List.of(owed.get(owed.size() - 1)));
        }
        if (!runGoing) {
            if (!owed.isEmpty()) start = owed.remove(0);
        } else if (spec.concurrency() == ScheduleSpec.Concurrency.REPLACE) {
            replace = newFiring;
        } else {
            while (owed.size() > spec.missedCap()) {
                owed.remove(0);
                skipped++;
            }
        }
        ScheduleState next = new ScheduleState(cursor, owed, false, times.next(cursor), s.fired() + (start == null ? 0 : 1),
                s.skipped() + skipped);
        return new Decision(next, start, replace, skipped);
    }
}
