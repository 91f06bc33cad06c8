package io.nightshift.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.nightshift.api.Resources;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a user submits. Parsed and checked by {@link JobSpecParser}, which collects every problem;
 * this record only normalizes (defaults) and guards its invariants. Exactly the section named by
 * {@link #type()} is set ({@code command}, {@code jvm} or {@code kafka}). Later types (spark, hadoop) and
 * sections (schedule) are added as new optional components, at the end; code that copies a spec goes through
 * {@link #toBuilder()}, so a new component is added in the record, the builder and the parser only.
 *
 * <p>Placement: {@code constraints} (empty by default), {@code gang} (all {@code instances} start together
 * or none does; trivially true for one instance) and {@code deadline} (earliest first inside a queue at
 * equal priority). They are left out of the JSON while they have their default, so specs stored before
 * they existed keep their canonical hash. {@code artifacts} (empty by default, likewise left out) are
 * fetched into the sandbox before the task starts; see {@link ArtifactSpec}.
 *
 * <p>{@code secrets} (empty by default, left out likewise) maps an environment variable of the task to the
 * name of a secret an admin stored with {@code PUT /v1/secrets/NAME}: the spec holds names only, never a
 * value, so nothing that shows or stores a spec can leak one. The leader resolves the values when it launches
 * an attempt and hands them to the agent in the launch message only.
 * <p>Night capacity: {@code revocable} (false by default) lets the job run on capacity lent by a pool's
 * owners, which is taken back (the task is revoked and re-queued) when a window closes or the owners need
 * it; {@code window} (none by default) names a pool window the job may start only inside, and only when
 * its {@code maxRuntime} fits before the window closes. Both are left out of the JSON at their default.
 * <p>{@code schedule} (null by default) makes the job fire runs on a cron expression or once at an instant; see
 * {@link ScheduleSpec}. {@code after} (empty by default, left out of the JSON) makes each run wait for other jobs'
 * runs; see {@link DependencySpec}.
 * <p>Deadlines: {@code deadline} (an instant) or {@code deadlineTime} (a time of day, read in {@code deadlineZone},
 * by default the schedule's zone or UTC; a scheduled job's deadline is then per firing, see {@link #deadlineFor}).
 * {@code expectedRuntime} is the runtime admission assumes while the job has no history of successful runs;
 * {@code deadlinePolicy} says whether a deadline admission cannot promise refuses the job ({@code refuse}, the
 * default) or only warns. All four are left out of the JSON while unset.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobSpec(
        String id,
        String name,
        String queue,
        JobType type,
        CommandSpec command,
        JvmSpec jvm,
        Resources resources,
        Map<String, String> env,
        List<String> args,
        RetryPolicy retries,
        Duration maxRuntime,
        Duration killGracePeriod,
        int priority,
        Map<String, String> labels,
        int instances,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Constraint> constraints,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean gang,
        Instant deadline,
        KafkaSpec kafka,
        Duration pendingTimeout,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ArtifactSpec> artifacts,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> secrets,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean revocable,
        String window,
        ScheduleSpec schedule,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<DependencySpec> after,
        SparkSpec spark,
        HadoopSpec hadoop,
        LocalTime deadlineTime,
        String deadlineZone,
        Duration expectedRuntime,
        DeadlinePolicy deadlinePolicy) {

    public static final String DEFAULT_QUEUE = "default";
    public static final Resources DEFAULT_RESOURCES = new Resources(1, 256, 0, 0);
    public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(10);

    public JobSpec {
        if (type == null) throw new InvalidSpecException("/type", "is required");
        if (type == JobType.COMMAND && (command == null || jvm != null || kafka != null))
            throw new InvalidSpecException("/command", "a command job needs a 'command' section and no other");
        if (type == JobType.JVM && (jvm == null || command != null || kafka != null))
            throw new InvalidSpecException("/jvm", "a jvm job needs a 'jvm' section and no other");
        if (type == JobType.KAFKA && (kafka == null || command != null || jvm != null))
            throw new InvalidSpecException("/kafka", "a kafka job needs a 'kafka' section and no other");
        if ((type == JobType.SPARK) != (spark != null) || (type == JobType.HADOOP) != (hadoop != null)
                || ((type == JobType.SPARK || type == JobType.HADOOP) && (command != null || jvm != null || kafka != null)))
            throw new InvalidSpecException("/" + type.wire(), "a %s job needs a '%s' section and no other".formatted(type.wire(), type.wire()));
        queue = queue == null ? DEFAULT_QUEUE : queue;
        resources = resources == null ? DEFAULT_RESOURCES : resources;
        env = env == null ? Map.of() : Map.copyOf(env);
        args = args == null ? List.of() : List.copyOf(args);
        retries = retries == null ? RetryPolicy.NONE : retries;
        killGracePeriod = killGracePeriod == null ? DEFAULT_KILL_GRACE : killGracePeriod;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        instances = instances == 0 ? 1 : instances;
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
        secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
        after = after == null ? List.of() : List.copyOf(after);
        if (name == null) name = id;
    }

    /**
     * The deadline of a run that becomes due at {@code from} (its scheduled time, or the submit time of a job without
     * a schedule): the {@code deadline} instant, else the first {@code deadlineTime} in the deadline's zone after
     * {@code from}; null when the job has no deadline. A time a spring-forward skips moves to just after the gap.
     */
    public Instant deadlineFor(Instant from) {
        if (deadline != null) return deadline;
        if (deadlineTime == null) return null;
        java.time.ZonedDateTime local = from.atZone(deadlineZoneId());
        java.time.ZonedDateTime at = java.time.ZonedDateTime.of(local.toLocalDate(), deadlineTime, local.getZone());
        if (!at.toInstant().isAfter(from)) at = java.time.ZonedDateTime.of(local.toLocalDate().plusDays(1), deadlineTime, local.getZone());
        return at.toInstant();
    }

    /** The zone a {@code deadlineTime} is read in: {@code deadlineZone}, else the schedule's zone, else UTC. */
    public java.time.ZoneId deadlineZoneId() {
        if (deadlineZone != null) return java.time.ZoneId.of(deadlineZone);
        return schedule != null ? schedule.zoneId() : java.time.ZoneOffset.UTC;
    }

    /** What admission does with a deadline it cannot promise: {@code deadlinePolicy}, {@code refuse} by default. */
    public DeadlinePolicy deadlinePolicyOrDefault() {
        return deadlinePolicy == null ? DeadlinePolicy.REFUSE : deadlinePolicy;
    }

    /** The same spec with another number of instances (a running stream job scaled by PATCH). */
    public JobSpec withInstances(int newInstances) {
        return toBuilder().instances(newInstances).build();
    }

    /** The same spec under another id (the coordinator assigns one when the user gave none). */
    public JobSpec withId(String newId) {
        return toBuilder().id(newId).name(name == null || name.equals(id) ? newId : name).build();
    }

    /** A builder holding every component of this spec: the one place that copies a spec field by field. */
    public Builder toBuilder() {
        Builder b = new Builder(type).id(id).name(name).queue(queue).command(command).jvm(jvm).resources(resources)
                .env(env).labels(labels).args(args).retries(retries).maxRuntime(maxRuntime)
                .killGracePeriod(killGracePeriod).priority(priority).instances(instances).constraints(constraints)
                .gang(gang).deadline(deadline).kafka(kafka).pendingTimeout(pendingTimeout).revocable(revocable)
                .window(window).schedule(schedule).spark(spark).hadoop(hadoop).deadlineTime(deadlineTime)
                .deadlineZone(deadlineZone).expectedRuntime(expectedRuntime).deadlinePolicy(deadlinePolicy);
        b.artifacts.addAll(artifacts);
        b.after.addAll(after);
        b.secrets.putAll(secrets);
        return b;
    }

    public static Builder command(String... argv) {
        return new Builder(JobType.COMMAND).command(CommandSpec.argv(argv));
    }

    public static Builder shell(String line) {
        return new Builder(JobType.COMMAND).command(CommandSpec.shell(line));
    }

    public static Builder jvm(String mainClass, List<String> classpath) {
        return new Builder(JobType.JVM).jvm(new JvmSpec(mainClass, classpath, null, null, null));
    }

    public static Builder kafka(KafkaSpec kafka) {
        return new Builder(JobType.KAFKA).kafka(kafka);
    }

    public static Builder spark(SparkSpec spark) {
        return new Builder(JobType.SPARK).spark(spark);
    }

    public static Builder hadoop(HadoopSpec hadoop) {
        return new Builder(JobType.HADOOP).hadoop(hadoop);
    }

    /** Fluent construction for Java users (client library, tests, examples). */
    public static final class Builder {
        private String id, name, queue;
        private final JobType type;
        private CommandSpec command;
        private JvmSpec jvm;
        private Resources resources;
        private Map<String, String> env, labels;
        private List<String> args;
        private RetryPolicy retries;
        private Duration maxRuntime, killGracePeriod, pendingTimeout;
        private int priority, instances = 1;
        private final List<Constraint> constraints = new ArrayList<>();
        private boolean gang;
        private Instant deadline;
        private KafkaSpec kafka;
        private final List<ArtifactSpec> artifacts = new ArrayList<>();
        private final Map<String, String> secrets = new java.util.LinkedHashMap<>();
        private boolean revocable;
        private String window;
        private ScheduleSpec schedule;
        private SparkSpec spark;
        private HadoopSpec hadoop;
        private final List<DependencySpec> after = new ArrayList<>();
        private LocalTime deadlineTime;
        private String deadlineZone;
        private Duration expectedRuntime;
        private DeadlinePolicy deadlinePolicy;

        private Builder(JobType type) { this.type = type; }

        public Builder id(String v) { id = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public Builder queue(String v) { queue = v; return this; }
        public Builder command(CommandSpec v) { command = v; return this; }
        public Builder jvm(JvmSpec v) { jvm = v; return this; }
        public Builder resources(Resources v) { resources = v; return this; }
        public Builder resources(double cpus, long memMb) { resources = Resources.of(cpus, memMb); return this; }
        public Builder env(Map<String, String> v) { env = v; return this; }
        public Builder labels(Map<String, String> v) { labels = v; return this; }
        public Builder args(List<String> v) { args = v; return this; }
        public Builder retries(int max, Duration initial, Duration maxBackoff) {
            retries = new RetryPolicy(max, new Backoff(initial, maxBackoff)); return this;
        }
        public Builder retries(RetryPolicy v) { retries = v; return this; }
        public Builder maxRuntime(Duration v) { maxRuntime = v; return this; }
        public Builder killGracePeriod(Duration v) { killGracePeriod = v; return this; }
        public Builder priority(int v) { priority = v; return this; }
        public Builder instances(int v) { instances = v; return this; }
        public Builder constraint(String attribute, Constraint.Operator operator, String value) {
            constraints.add(new Constraint(attribute, operator, value)); return this;
        }
        public Builder constraint(Constraint v) { constraints.add(v); return this; }
        public Builder constraints(List<Constraint> v) { constraints.clear(); constraints.addAll(v); return this; }
        public Builder gang(boolean v) { gang = v; return this; }
        public Builder deadline(Instant v) { deadline = v; return this; }
        public Builder kafka(KafkaSpec v) { kafka = v; return this; }
        public Builder pendingTimeout(Duration v) { pendingTimeout = v; return this; }
        public Builder artifact(ArtifactSpec v) { artifacts.add(v); return this; }
        public Builder artifact(String uri) { artifacts.add(ArtifactSpec.of(uri)); return this; }
        /** The task gets the value of the stored secret {@code secretName} in its variable {@code envName}. */
        public Builder secret(String envName, String secretName) { secrets.put(envName, secretName); return this; }
        public Builder secrets(Map<String, String> v) { secrets.clear(); secrets.putAll(v); return this; }
        public Builder revocable(boolean v) { revocable = v; return this; }
        public Builder window(String v) { window = v; return this; }
        public Builder schedule(ScheduleSpec v) { schedule = v; return this; }
        public Builder spark(SparkSpec v) { spark = v; return this; }
        public Builder hadoop(HadoopSpec v) { hadoop = v; return this; }
        public Builder after(DependencySpec v) { after.add(v); return this; }
        public Builder after(String job) { after.add(DependencySpec.on(job)); return this; }

        /** A time-of-day deadline ("06:00"), read in {@link JobSpec#deadlineZoneId()}; per firing for a scheduled job. */
        public Builder deadlineTime(LocalTime v) { deadlineTime = v; return this; }
        public Builder deadlineZone(String v) { deadlineZone = v; return this; }
        public Builder expectedRuntime(Duration v) { expectedRuntime = v; return this; }
        public Builder deadlinePolicy(DeadlinePolicy v) { deadlinePolicy = v; return this; }

        public JobSpec build() {
            return new JobSpec(id, name, queue, type, command, jvm, resources, env, args, retries, maxRuntime,
                    killGracePeriod, priority, labels, instances, constraints, gang, deadline, kafka, pendingTimeout,
                    artifacts, secrets, revocable, window, schedule, after, spark, hadoop, deadlineTime, deadlineZone,
                    expectedRuntime, deadlinePolicy);
        }
    }
}
