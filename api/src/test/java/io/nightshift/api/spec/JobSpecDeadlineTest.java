package io.nightshift.api.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nightshift.api.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The deadline fields of a job spec: a time-of-day deadline with its zone, expectedRuntime, deadlinePolicy. */
class JobSpecDeadlineTest {

    private static String cmd(String extra) {
        return ("{'type':'command','command':{'argv':['echo','hi']}," + extra + "}").replace('\'', '"');
    }

    private static List<Problem> problemsOf(String body) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> JobSpecParser.parse(body));
        assertThat(e).as("expected the spec to be rejected").isNotNull();
        return e.problems();
    }

    @Test
    void aTimeOfDayDeadlineIsReadInItsZoneWithRuntimeAndPolicy() {
        JobSpec spec = JobSpecParser.parse(cmd(
                "'deadline':'06:00','deadlineZone':'Europe/Amsterdam','expectedRuntime':'PT20M','deadlinePolicy':'warn'"));

        assertThat(spec.deadline()).isNull();
        assertThat(spec.deadlineTime()).isEqualTo(LocalTime.of(6, 0));
        assertThat(spec.expectedRuntime()).isEqualTo(Duration.ofMinutes(20));
        assertThat(spec.deadlinePolicyOrDefault()).isEqualTo(DeadlinePolicy.WARN);
        // 2026-03-01 22:00 UTC is 23:00 in Amsterdam: the next 06:00 there is 05:00 UTC on the 2nd
        assertThat(spec.deadlineFor(Instant.parse("2026-03-01T22:00:00Z"))).isEqualTo(Instant.parse("2026-03-02T05:00:00Z"));
        // at 06:00 sharp it is tomorrow's 06:00 that is ahead
        assertThat(spec.deadlineFor(Instant.parse("2026-03-02T05:00:00Z"))).isEqualTo(Instant.parse("2026-03-03T05:00:00Z"));
    }

    @Test
    void aScheduledJobsTimeOfDayDeadlineIsInTheSchedulesZoneAndPerFiring() {
        JobSpec spec = JobSpecParser.parse(cmd("'deadline':'06:30','schedule':{'cron':'0 1 * * *','zone':'America/New_York'}"));

        assertThat(spec.deadlineZoneId().getId()).isEqualTo("America/New_York");
        assertThat(spec.deadlineFor(Instant.parse("2026-07-01T05:00:00Z"))).isEqualTo(Instant.parse("2026-07-01T10:30:00Z"));
        assertThat(spec.deadlineFor(Instant.parse("2026-07-02T05:00:00Z"))).isEqualTo(Instant.parse("2026-07-02T10:30:00Z"));
        assertThat(JobSpecParser.parse(cmd("'deadline':'06:30'")).deadlineZoneId().getId()).as("no schedule: UTC").isEqualTo("Z");
    }

    @Test
    void anInstantDeadlineIsTheSameForEveryRunAndRefusesByDefault() {
        JobSpec spec = JobSpecParser.parse(cmd("'deadline':'2026-03-02T06:00:00Z'"));

        assertThat(spec.deadlineFor(Instant.parse("2026-03-01T00:00:00Z"))).isEqualTo(Instant.parse("2026-03-02T06:00:00Z"));
        assertThat(spec.deadlinePolicyOrDefault()).isEqualTo(DeadlinePolicy.REFUSE);
        assertThat(JobSpecParser.parse(cmd("'priority':1")).deadlineFor(Instant.EPOCH)).as("no deadline").isNull();
    }

    @Test
    void badDeadlineFieldsAreNamedEachOnce() {
        assertThat(problemsOf(cmd("'deadline':'25:00','deadlineZone':'Mars/Olympus','expectedRuntime':'PT0S','deadlinePolicy':'maybe'")))
                .extracting(Problem::path)
                .containsExactly("/deadline", "/deadlineZone", "/expectedRuntime", "/deadlinePolicy");
        assertThat(problemsOf(cmd("'deadlinePolicy':'warn','expectedRuntime':'PT1H'"))).containsExactly(
                new Problem("/expectedRuntime", "is used only with a deadline; give 'deadline' too"),
                new Problem("/deadlinePolicy", "is used only with a deadline; give 'deadline' too"));
        assertThat(problemsOf(cmd("'deadline':'2026-03-02T06:00:00Z','deadlineZone':'UTC'"))).containsExactly(
                new Problem("/deadlineZone", "belongs to a time-of-day deadline; a deadline instant has its own offset"));
        assertThat(problemsOf(cmd("'deadline':'2026-03-02T06:00:00Z','deadlineTime':'06:00'"))).extracting(Problem::path)
                .containsExactly("/deadlineTime");
        assertThat(problemsOf(cmd("'deadlineTime':6"))).containsExactly(
                new Problem("/deadlineTime", "must be a time of day HH:MM or HH:MM:SS such as 06:00, got 6"));
    }

    @Test
    void storedSpecsRoundTripAndOldHashesHold() {
        JobSpec spec = JobSpecParser.parse(cmd("'deadline':'06:00','deadlineZone':'Europe/Amsterdam','expectedRuntime':'PT20M'"));

        String stored = Json.write(spec);
        assertThat(stored).contains("\"deadlineTime\":\"06:00:00\"").doesNotContain("deadlinePolicy");
        assertThat(Json.read(stored, JobSpec.class)).isEqualTo(spec);
        assertThat(JobSpecParser.parse(stored)).isEqualTo(spec);
        assertThat(JobSpecParser.canonicalJson(JobSpecParser.parse(cmd("'priority':0"))))
                .doesNotContain("deadlineTime", "deadlineZone", "expectedRuntime", "deadlinePolicy");
        assertThat(spec.toBuilder().build()).isEqualTo(spec);
    }
}
