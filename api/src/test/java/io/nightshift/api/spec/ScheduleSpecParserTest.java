package io.nightshift.api.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The {@code schedule} section: what is accepted, its defaults, and the 400s that name the field. */
class ScheduleSpecParserTest {
    static final String JOB = "{\"type\":\"command\",\"command\":{\"shell\":\"true\"},\"schedule\":%s}";

    static JobSpec parse(String schedule) {
        return JobSpecParser.parse(JOB.formatted(schedule));
    }

    static InvalidSpecException problems(String schedule) {
        try {
            parse(schedule);
        } catch (InvalidSpecException e) {
            return e;
        }
        throw new AssertionError("accepted: " + schedule);
    }

    @Test
    void unixCronWithAZoneGetsTheDefaultPolicies() {
        ScheduleSpec s = parse("{\"cron\":\"30 2 * * *\",\"zone\":\"Europe/Amsterdam\"}").schedule();
        assertThat(s.cron()).isEqualTo("30 2 * * *");
        assertThat(s.syntax()).isEqualTo(ScheduleSpec.CronSyntax.UNIX);
        assertThat(s.zoneId().getId()).isEqualTo("Europe/Amsterdam");
        assertThat(s.concurrency()).isEqualTo(ScheduleSpec.Concurrency.FORBID);
        assertThat(s.missed()).isEqualTo(ScheduleSpec.Missed.RUN_ONCE);
        assertThat(s.missedCap()).isEqualTo(10);
        assertThat(s.missedAfter()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void quartzAtAndPolicies() {
        ScheduleSpec q = parse("{\"cron\":\"0/5 * * * * ?\",\"syntax\":\"quartz\",\"concurrency\":\"replace\","
                + "\"missed\":\"run-all\",\"missedCap\":3,\"missedAfter\":\"PT5S\"}").schedule();
        assertThat(q.syntax()).isEqualTo(ScheduleSpec.CronSyntax.QUARTZ);
        assertThat(q.concurrency()).isEqualTo(ScheduleSpec.Concurrency.REPLACE);
        assertThat(q.missed()).isEqualTo(ScheduleSpec.Missed.RUN_ALL);
        assertThat(q.missedCap()).isEqualTo(3);
        assertThat(parse("{\"at\":\"2026-12-02T06:00:00+01:00\"}").schedule().at()).isEqualTo(Instant.parse("2026-12-02T05:00:00Z"));
    }

    @Test
    void aSpecWithoutAScheduleHashesAsBefore() {
        JobSpec plain = JobSpecParser.parse("{\"type\":\"command\",\"command\":{\"shell\":\"true\"}}");
        assertThat(JobSpecParser.canonicalJson(plain)).doesNotContain("schedule");
        assertThat(JobSpecParser.canonicalHash(plain.toBuilder().build())).isEqualTo(JobSpecParser.canonicalHash(plain));
    }

    @Test
    void badSchedulesAreRefusedByPath() {
        assertThat(problems("{\"cron\":\"61 * * * *\"}").getMessage()).contains("/schedule/cron");
        assertThat(problems("{\"cron\":\"* * * * *\",\"zone\":\"Mars/Olympus\"}").getMessage()).contains("/schedule/zone");
        assertThat(problems("{\"cron\":\"* * * * *\",\"at\":\"2026-12-02T06:00:00Z\"}").getMessage()).contains("exactly one of");
        assertThat(problems("{}").getMessage()).contains("exactly one of");
        assertThat(problems("{\"cron\":\"* * * * *\",\"concurrency\":\"allow\"}").getMessage()).contains("/schedule/concurrency");
        assertThat(problems("{\"cron\":\"* * * * *\",\"missed\":\"maybe\"}").getMessage()).contains("/schedule/missed");
        assertThat(problems("{\"cron\":\"* * * * *\",\"missedCap\":0}").getMessage()).contains("/schedule/missedCap");
        assertThat(problems("{\"cron\":\"* * * * *\",\"sometimes\":1}").getMessage()).contains("/schedule/sometimes");
        assertThat(problems("{\"cron\":\"* * * * *\",\"syntax\":\"quartz\"}").getMessage()).contains("/schedule/cron");
        assertThat(problems("\"daily\"").getMessage()).contains("/schedule");
        assertThatThrownBy(() -> parse("{\"at\":\"2026-12-02T06:00:00Z\",\"zone\":\"UTC\"}")).isInstanceOf(InvalidSpecException.class);
    }
}
