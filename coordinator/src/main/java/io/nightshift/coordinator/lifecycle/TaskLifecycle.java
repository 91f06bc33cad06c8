package io.nightshift.coordinator.lifecycle;

import io.nightshift.api.Resources;
import io.nightshift.api.model.Attempt;
import io.nightshift.api.model.FetchProgress;
import io.nightshift.api.model.Task;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.Reason;
import io.nightshift.api.state.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The task state machine. Pure: every method takes the current task and an event and returns the
 * next task plus the effects the caller must carry out; nothing here does I/O or reads a clock.
 *
 * <pre>
 *            placed               agent reports (forward only)
 *  PENDING ─────────► STAGING ─► FETCHING ─► RUNNING ─► FINISHED                (exit 0)
 *     ▲                  │           │          │    ─► FAILED  EXIT_CODE|TIMEOUT|LAUNCH_FAILED
 *     │                  └───────────┴──────────┴──► ─► KILLED  KILLED_BY_USER|AGENT_SHUTDOWN
 *     │                                               ─► LOST    AGENT_LOST (heartbeat timeout)
 *     └──── FAILED or LOST with retries left and no kill requested: PENDING until now + back-off;
 *           KILLED as PREEMPTED: PENDING at once, no retry used
 *  kill requested: PENDING ─► KILLED at once; an active attempt gets KillAttempt and ends KILLED.
 * </pre>
 */
public final class TaskLifecycle {
    private TaskLifecycle() {
    }

    /** What the shell must do after a transition. */
    public sealed interface Effect {
        /** Stop an attempt's process tree on its agent. */
        record KillAttempt(String agentId, String attemptId, Duration grace, Reason reason) implements Effect {
        }

        /** The attempt no longer holds resources on its agent. */
        record Release(String agentId, Resources resources) implements Effect {
        }

        /** Run the offer cycle again no later than {@code at} (a retry back-off ends). */
        record WakeAt(Instant at) implements Effect {
        }
    }

    /** The next task ({@code changed} false when the event was stale or a duplicate) and its effects. */
    public record Transition(Task task, boolean changed, List<Effect> effects) {
        static Transition unchanged(Task t) {
            return new Transition(t, false, List.of());
        }
    }

    /** The task was placed on an agent: a new attempt starts in STAGING. */
    public static Task placed(Task task, String agentId, String host, Instant now) {
        int number = task.attempts().size() + 1;
        Attempt a = new Attempt(Attempt.idOf(task.id(), number), number, agentId, host, TaskState.STAGING, null, null,
                null, now, null, null);
        return task.withAttempt(a);
    }

    /** The agent reported a state for one attempt. Stale, duplicate and backward updates change nothing. */
    public static Transition onStatus(Task task, JobSpec spec, boolean killRequested, String attemptId, TaskState state,
                                      Reason reason, Integer exitCode, String message, Instant now) {
        return onStatus(task, spec, killRequested, attemptId, state, reason, exitCode, message, null, now);
    }

    /** As above, with the fetch step's progress ({@code fetch}, null when the update has none). */
    public static Transition onStatus(Task task, JobSpec spec, boolean killRequested, String attemptId, TaskState state,
                                      Reason reason, Integer exitCode, String message, FetchProgress fetch, Instant now) {
        return onStatus(task, spec, killRequested, attemptId, state, reason, exitCode, message, fetch, null, now);
    }

    /**
     * As above, with what a running driver told about its application ({@code app}, null when the update has none):
     * laid over what the attempt knows, kept once it ends.
     */
    public static Transition onStatus(Task task, JobSpec spec, boolean killRequested, String attemptId, TaskState state,
                                      Reason reason, Integer exitCode, String message, FetchProgress fetch,
                                      io.nightshift.api.model.AppInfo app, Instant now) {
        Attempt current = task.currentAttempt();
        if (current == null || !current.id().equals(attemptId) || current.state().isTerminal()) return Transition.unchanged(task);
        if (state == TaskState.FETCHING && current.state() == TaskState.FETCHING
                && ((message != null && !message.equals(current.message())) || (fetch != null && !fetch.equals(current.fetch())))) {
            // fetch progress: the message and the byte counts move on, the state does not
            return new Transition(task.withAttempt(current.withState(state, null, null, truncate(message), now).withFetch(fetch)),
                    true, List.of());
        }
        if (state == TaskState.RUNNING && current.state() == TaskState.RUNNING) { // what a running driver told
            Attempt told = current.withApp(app);
            if (message != null && !message.equals(current.message()))
                told = told.withState(state, null, null, truncate(message), now);
            return told.equals(current) ? Transition.unchanged(task) : new Transition(task.withAttempt(told), true, List.of());
        }
        if (state == TaskState.PENDING || rank(state) <= rank(current.state())) return Transition.unchanged(task);
        Attempt next = current.withState(state, reason, exitCode, truncate(message), now).withFetch(fetch).withApp(app);
        if (!state.isTerminal()) return new Transition(task.withAttempt(next), true, List.of());
        return ended(task.withAttempt(next), next, spec, killRequested, now);
    }

    /** The attempt's agent stopped heart-beating: the active attempt is LOST. */
    public static Transition onAgentLost(Task task, JobSpec spec, boolean killRequested, Instant now) {
        Attempt current = task.currentAttempt();
        if (current == null || !current.state().isActive()) return Transition.unchanged(task);
        Attempt lost = current.withState(TaskState.LOST, Reason.AGENT_LOST, null, "agent " + current.agentId() + " stopped heart-beating", now);
        return ended(task.withAttempt(lost), lost, spec, killRequested, now);
    }

    /**
     * The attempt's agent re-registered without it (neither running nor with updates to report): it
     * is gone. An attempt that never started its process (the agent never got the launch, e.g. the
     * coordinator died in between) goes back to PENDING at once without using a retry; one that did
     * start is LOST and retried per the policy.
     */
    public static Transition onMissing(Task task, JobSpec spec, boolean killRequested, Instant now) {
        Attempt current = task.currentAttempt();
        if (current == null || !current.state().isActive()) return Transition.unchanged(task);
        Attempt lost = current.withState(TaskState.LOST, Reason.RECONCILED,
                null, "agent " + current.agentId() + " no longer knows this attempt", now);
        Task next = task.withAttempt(lost);
        if (current.startedAt() == null && !killRequested) {
            return new Transition(next.withState(TaskState.PENDING, Reason.RECONCILED, null), true,
                    List.of(new Effect.Release(current.agentId(), spec.resources())));
        }
        return ended(next, lost, spec, killRequested, now);
    }

    /** A user asked to kill the job. A pending task ends at once; an active attempt is told to stop. */
    public static Transition onKillRequested(Task task, JobSpec spec, Instant now) {
        if (task.state().isTerminal()) return Transition.unchanged(task);
        Attempt current = task.currentAttempt();
        if (task.state() == TaskState.PENDING || current == null || !current.state().isActive()) {
            return new Transition(task.withState(TaskState.KILLED, Reason.KILLED_BY_USER, null), true, List.of());
        }
        return new Transition(task, false, List.of(new Effect.KillAttempt(current.agentId(), current.id(),
                spec.killGracePeriod(), Reason.KILLED_BY_USER)));
    }

    /**
     * The job was scaled below this instance: a PENDING task ends KILLED / SCALED_DOWN at once, an active attempt
     * gets SIGTERM (a kafka harness commits and leaves its group) and ends KILLED / SCALED_DOWN.
     */
    public static Transition onScaledDown(Task task, JobSpec spec) {
        if (task.state().isTerminal()) return Transition.unchanged(task);
        Attempt current = task.currentAttempt();
        if (task.state() == TaskState.PENDING || current == null || !current.state().isActive()) {
            return new Transition(task.withState(TaskState.KILLED, Reason.SCALED_DOWN, null), true, List.of());
        }
        return new Transition(task, false, List.of(new Effect.KillAttempt(current.agentId(), current.id(),
                spec.killGracePeriod(), Reason.SCALED_DOWN)));
    }

    /**
     * The core found {@code task} unplaced past its pending timeout: a PENDING task ends FAILED with
     * {@link Reason#UNSCHEDULABLE}, without a retry (nothing ran), and keeps {@code why} it waited; any other state is
     * left alone.
     */
    public static Transition onUnschedulable(Task task, List<io.nightshift.api.model.PendingReason> why) {
        if (task.state() != TaskState.PENDING) return Transition.unchanged(task);
        return new Transition(task.unschedulable(why), true, List.of());
    }

    private static Transition ended(Task task, Attempt ended, JobSpec spec, boolean killRequested, Instant now) {
        List<Effect> effects = new ArrayList<>();
        effects.add(new Effect.Release(ended.agentId(), spec.resources()));
        if (ended.state() == TaskState.KILLED && ended.reason() == Reason.PREEMPTED && !killRequested) {
            // preempted, not failed: back in the queue at once, without using a retry
            return new Transition(task.withState(TaskState.PENDING, Reason.PREEMPTED, null), true, effects);
        }
        if (ended.state() == TaskState.REVOKED && !killRequested) {
            // revoked, not failed: its pool took lent capacity back; back in the queue at once, without using a retry
            return new Transition(task.withState(TaskState.PENDING, Reason.REVOKED, null), true, effects);
        }
        boolean retryable = ended.state() == TaskState.FAILED || ended.state() == TaskState.LOST;
        int retriesUsed = countedAttempts(task) - 1;
        if (retryable && !killRequested && retriesUsed < spec.retries().max()) {
            Instant notBefore = now.plus(spec.retries().backoff().delayBeforeRetry(retriesUsed + 1));
            effects.add(new Effect.WakeAt(notBefore));
            return new Transition(task.withState(TaskState.PENDING, ended.reason(), notBefore), true, effects);
        }
        return new Transition(task, true, effects);
    }

    /** Attempts that count against the retry policy: all but preempted ones and those that never started and were reconciled away. */
    static int countedAttempts(Task task) {
        int n = 0;
        for (Attempt a : task.attempts()) {
            boolean neverRan = a.reason() == Reason.RECONCILED && a.startedAt() == null;
            if (!neverRan && a.reason() != Reason.PREEMPTED && a.reason() != Reason.REVOKED) n++;
        }
        return n;
    }

    private static int rank(TaskState s) {
        return switch (s) {
            case PENDING -> 0;
            case STAGING -> 1;
            case FETCHING -> 2;
            case RUNNING -> 3;
            case FINISHED, FAILED, KILLED, LOST, REVOKED -> 4;
        };
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 1000 ? s : s.substring(0, 1000) + "…";
    }
}
