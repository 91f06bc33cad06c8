package io.nightshift.api.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nightshift.api.json.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The placement fields of a job spec: constraints, gang, deadline. */
class JobSpecPlacementTest {

    private static String q(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static String cmd(String extra) {
        return q("{'type':'command','command':{'argv':['echo','hi']}," + extra + "}");
    }

    private static List<Problem> problemsOf(String body) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> JobSpecParser.parse(body));
        assertThat(e).as("expected the spec to be rejected").isNotNull();
        return e.problems();
    }

    @Test
    void everyOperatorIsAcceptedWithItsValue() {
        JobSpec spec = JobSpecParser.parse(cmd("""
                'instances':6,'constraints':[
                  {'attribute':'hostname','operator':'UNIQUE'},
                  {'attribute':'zone','operator':'CLUSTER'},
                  {'attribute':'zone','operator':'CLUSTER','value':'eu-1a'},
                  {'attribute':'rack','operator':'GROUP_BY'},
                  {'attribute':'rack','operator':'GROUP_BY','value':3},
                  {'attribute':'os','operator':'LIKE','value':'linux-.*'},
                  {'attribute':'pool','operator':'UNLIKE','value':'day|frontend'},
                  {'attribute':'rack','operator':'MAX_PER','value':'2'}]"""));

        assertThat(spec.constraints()).containsExactly(
                Constraint.unique("hostname"), Constraint.cluster("zone"), Constraint.cluster("zone", "eu-1a"),
                Constraint.groupBy("rack"), Constraint.groupBy("rack", 3), Constraint.like("os", "linux-.*"),
                Constraint.unlike("pool", "day|frontend"), Constraint.maxPer("rack", 2));
        assertThat(spec.constraints().get(7).intValue()).isEqualTo(2);
    }

    @Test
    void badConstraintsAreNamedByPath() {
        List<Problem> problems = problemsOf(cmd("""
                'constraints':[
                  {'attribute':'hostname','operator':'UNIQUE','value':'x'},
                  {'attribute':'rack','operator':'MAX_PER','value':0},
                  {'attribute':'os','operator':'LIKE','value':'linux-('},
                  {'attribute':'os','operator':'UNLIKE'},
                  {'attribute':'rack','operator':'SPREAD'},
                  {'operator':'UNIQUE'},
                  {'attribute':'rack','operator':'GROUP_BY','value':1.5},
                  {'attribute':'rack','operator':'MAX_PER'},
                  {'attribute':'rack','operator':'LIKE','value':'%s'},
                  {'attribute':' bad','operator':'UNIQUE','extra':1}]""".formatted("a".repeat(257))));

        assertThat(problems).extracting(Problem::path).containsExactly(
                "/constraints/0/value", "/constraints/1/value", "/constraints/2/value", "/constraints/3/value",
                "/constraints/4/operator", "/constraints/5/attribute", "/constraints/6/value", "/constraints/7/value",
                "/constraints/8/value", "/constraints/9/extra", "/constraints/9/attribute");
        assertThat(problems.get(1).message()).isEqualTo("must be an integer from 1 to 10000 (k, the most instances per value), got 0");
        assertThat(problems.get(2).message()).startsWith("is not a valid regular expression (Unclosed group");
        assertThat(problems.get(4).message()).isEqualTo(
                "must be one of UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER; got \"SPREAD\"");
    }

    @Test
    void constraintListIsBounded() {
        String many = String.join(",", java.util.Collections.nCopies(33, "{'attribute':'rack','operator':'UNIQUE'}"));
        assertThat(problemsOf(cmd("'constraints':[" + many + "]"))).singleElement()
                .isEqualTo(new Problem("/constraints", "must have at most 32 entries, got 33"));
        assertThat(problemsOf(cmd("'constraints':{'attribute':'rack'}"))).extracting(Problem::path).containsExactly("/constraints");
    }

    @Test
    void gangAndDeadline() {
        JobSpec spec = JobSpecParser.parse(cmd("'instances':4,'gang':true,'deadline':'2026-03-02T07:00:00+01:00'"));

        assertThat(spec.gang()).isTrue();
        assertThat(spec.deadline()).isEqualTo(Instant.parse("2026-03-02T06:00:00Z"));
        assertThat(JobSpecParser.parse(cmd("'gang':true")).gang()).as("one instance: allowed, trivially").isTrue();
        assertThat(problemsOf(cmd("'gang':'yes','deadline':'tomorrow'"))).containsExactly(
                new Problem("/gang", "must be true or false, got \"yes\""),
                new Problem("/deadline", "expected an ISO-8601 instant such as 2026-03-02T06:00:00Z or "
                        + "2026-03-02T07:00:00+01:00, or a time of day such as 06:00, got \"tomorrow\""));
        assertThat(problemsOf(cmd("'deadline':'1970-01-01T00:00:00Z'"))).extracting(Problem::path).containsExactly("/deadline");
    }

    @Test
    void defaultsAreLeftOutOfTheCanonicalJsonSoOldHashesHold() {
        JobSpec bare = JobSpecParser.parse(cmd("'priority':0"));
        JobSpec spelledOut = JobSpecParser.parse(cmd("'constraints':[],'gang':false"));

        assertThat(JobSpecParser.canonicalJson(bare)).doesNotContain("constraints", "gang", "deadline");
        assertThat(JobSpecParser.canonicalHash(spelledOut)).isEqualTo(JobSpecParser.canonicalHash(bare));
    }

    @Test
    void everyPlacementFieldChangesTheHash() {
        String bare = JobSpecParser.canonicalHash(JobSpecParser.parse(cmd("'instances':2")));
        for (String extra : List.of("'constraints':[{'attribute':'rack','operator':'UNIQUE'}]", "'gang':true",
                "'deadline':'2026-03-02T06:00:00Z'")) {
            assertThat(JobSpecParser.canonicalHash(JobSpecParser.parse(cmd("'instances':2," + extra))))
                    .as(extra).isNotEqualTo(bare);
        }
        assertThat(JobSpecParser.canonicalHash(JobSpecParser.parse(cmd("'constraints':[{'attribute':'r','operator':'MAX_PER','value':2}]"))))
                .as("a number and its decimal text are the same value")
                .isEqualTo(JobSpecParser.canonicalHash(JobSpecParser.parse(cmd("'constraints':[{'attribute':'r','operator':'MAX_PER','value':'2'}]"))));
    }

    @Test
    void roundTripsThroughTheSharedMapper() {
        JobSpec spec = JobSpecParser.parse(cmd("""
                'instances':3,'gang':true,'deadline':'2026-03-02T06:00:00Z','constraints':[
                  {'attribute':'hostname','operator':'UNIQUE'},{'attribute':'rack','operator':'GROUP_BY','value':2},
                  {'attribute':'os','operator':'LIKE','value':'linux.*'}]"""));

        String stored = Json.write(spec);
        assertThat(Json.read(stored, JobSpec.class)).isEqualTo(spec);
        assertThat(JobSpecParser.parse(stored)).isEqualTo(spec);
    }

    @Test
    void builderSetsPlacementFieldsAndWithIdKeepsThem() {
        JobSpec spec = JobSpec.command("echo").instances(2).gang(true).constraint(Constraint.unique("hostname"))
                .constraint("rack", Constraint.Operator.MAX_PER, "1").deadline(Instant.parse("2026-03-02T06:00:00Z")).build();

        JobSpec withId = spec.withId("j-1");
        assertThat(withId.constraints()).containsExactly(Constraint.unique("hostname"), Constraint.maxPer("rack", 1));
        assertThat(withId.gang()).isTrue();
        assertThat(withId.deadline()).isEqualTo(spec.deadline());
    }
}
