package io.nightshift.harness.kafka;

import io.nightshift.api.json.Json;
import io.nightshift.api.spec.KafkaSpec;
import io.nightshift.connectors.sink.SinkTargets;
import java.io.IOException;
import io.nightshift.sdk.kafka.RecordHandler;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main class of a kafka job's task (the agent's KafkaRunner starts it). Reads the job's kafka section from
 * {@value #SPEC_ENV} (JSON) and who it runs as from the task environment, then runs the {@link Harness}.
 *
 * <p>SIGTERM (kill, revocation, scale-down): the shutdown hook asks the loop to stop, which finishes the batch
 * in hand, commits it and leaves the group; the hook waits for that, up to the kill grace
 * ({@value #GRACE_ENV}, milliseconds) less a second.
 *
 * <p>Exit codes: 0 drained or stopped cleanly; {@value #EXIT_CLUSTER} the Kafka cluster could not be used
 * (unreachable, missing topic); {@value #EXIT_HANDLER} the handler failed; {@value #EXIT_POISON} a poison record
 * (onPoison fail); {@value #EXIT_STUCK} a stuck handler (the watchdog halts the JVM: nothing past the last commit
 * is committed); {@value #EXIT_USAGE} a bad environment or handler class. The reason is the last line on stderr,
 * prefixed {@code nightshift-kafka: }, and the {@code failure} of the last progress document (the agent adds it
 * to the attempt's message).
 */
public final class HarnessMain {
    public static final String SPEC_ENV = "NIGHTSHIFT_KAFKA_SPEC";
    public static final String GRACE_ENV = "NIGHTSHIFT_KILL_GRACE_MS";
    public static final int EXIT_CLUSTER = 3, EXIT_HANDLER = 4, EXIT_USAGE = 2, EXIT_POISON = 5, EXIT_STUCK = 6;
    private static final Logger log = LoggerFactory.getLogger(HarnessMain.class);

    private HarnessMain() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    static int run(Map<String, String> env) {
        KafkaSpec spec;
        TaskInfo task;
        RecordHandler handler;
        try {
            String json = env.get(SPEC_ENV);
            if (json == null) throw new IllegalArgumentException(SPEC_ENV + " is not set");
            spec = Json.mapper().readValue(json, KafkaSpec.class);
            task = TaskInfo.fromEnvironment(env);
            handler = handler(spec, task.sandbox(), env);
        } catch (Exception e) {
            return fail(EXIT_USAGE, e.getMessage());
        }
        Duration grace = Duration.ofMillis(Long.parseLong(env.getOrDefault(GRACE_ENV, "10000")));
        Duration closeTimeout = grace.minusSeconds(1).isNegative() ? Duration.ZERO : grace.minusSeconds(1);
        Progress progress = new Progress(task.sandbox(), task.taskId());
        Harness harness = new Harness(spec, task, handler, progress, closeTimeout.dividedBy(2));
        Thread hook = new Thread(() -> {
            log.info("task={} SIGTERM: finishing the batch in hand, committing, leaving the group", task.taskId());
            harness.stop();
            try {
                harness.awaitFinished(closeTimeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kafka-harness-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        Thread watchdog = new Thread(() -> watch(harness, progress, task), "kafka-harness-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        log.info("task={} group={} instance={} mode={} consuming {} from {}", task.taskId(), spec.groupId(),
                task.groupInstanceId(), spec.mode().wire(), spec.topics() != null ? spec.topics() : spec.topicPattern(),
                spec.bootstrapServers());
        try {
            Harness.End end = harness.run();
            log.info("task={} {} after {} records", task.taskId(), end == Harness.End.DRAINED ? "drained" : "stopped",
                    progress.records());
            return 0;
        } catch (HarnessException e) {
            if (e.kind() == HarnessException.Kind.STOPPED) return 0;
            return fail(progress, exitCode(e.kind()), e.getMessage());
        } catch (HarnessException.Unchecked e) {
            HarnessException h = e.harnessException();
            return fail(progress, exitCode(h.kind()), h.getMessage());
        } catch (RuntimeException e) {
            HarnessException.Unchecked u = unwrap(e);
            if (u != null) return fail(progress, EXIT_HANDLER, u.getMessage());
            return fail(progress, EXIT_CLUSTER, "the consumer failed: " + e);
        } finally {
            watchdog.interrupt();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns once run() did
            }
        }
    }

    static int exitCode(HarnessException.Kind kind) {
        return switch (kind) {
            case CLUSTER -> EXIT_CLUSTER;
            case POISON -> EXIT_POISON;
            case HANDLER, STOPPED -> EXIT_HANDLER;
        };
    }

    /**
     * Once a second: a handler call stuck for the job's stuckAfter while records wait ends the JVM at once
     * (halt: the stop hook would wait for that call too). The retry policy starts the instance again, from the
     * last commit.
     */
    private static void watch(Harness harness, Progress progress, TaskInfo task) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
            String stuck = harness.stuck(System.nanoTime());
            if (stuck != null) {
                log.error("task={} {}", task.taskId(), stuck);
                fail(progress, EXIT_STUCK, stuck);
                Runtime.getRuntime().halt(EXIT_STUCK);
            }
        }
    }

    private static HarnessException.Unchecked unwrap(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) if (c instanceof HarnessException.Unchecked u) return u;
        return null;
    }

    static RecordHandler handler(KafkaSpec spec, java.nio.file.Path sandbox, Map<String, String> env) throws IOException {
        if (spec.sink() != null)
            return new FileSink(spec.sink(), SinkTargets.open(spec.sink(), sandbox.resolve(".sink-staging"), env));
        Class<?> c;
        try {
            c = Class.forName(spec.handler(), true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("handler class " + spec.handler() + " is not on the classpath "
                    + spec.classpath());
        }
        if (!RecordHandler.class.isAssignableFrom(c))
            throw new IllegalArgumentException("handler class " + spec.handler() + " does not implement "
                    + RecordHandler.class.getName());
        try {
            return (RecordHandler) c.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("handler class " + spec.handler()
                    + " could not be created with its public no-argument constructor: " + e);
        }
    }

    private static int fail(Progress progress, int code, String reason) {
        progress.failure(reason);
        progress.write(true);
        return fail(code, reason);
    }

    private static int fail(int code, String reason) {
        log.error("kafka task failed: {}", reason);
        System.err.println("nightshift-kafka: " + reason);
        System.err.flush();
        return code;
    }
}
