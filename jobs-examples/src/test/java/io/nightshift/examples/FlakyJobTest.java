package io.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FlakyJobTest {

    @ParameterizedTest(name = "attempt {0} of a job that succeeds on attempt {1} exits {2}")
    @CsvSource({
            "1, 3, 3",
            "2, 3, 3",
            "3, 3, 0",
            "4, 3, 0",
            "1, 1, 0",
    })
    void failsWithExitThreeBeforeAttemptKAndSucceedsFromAttemptK(int attempt, int k, int expectedExit) {
        Run r = run(Map.of("NIGHTSHIFT_ATTEMPT_ID", "flaky.r1.0." + attempt, "NIGHTSHIFT_JOB_ID", "flaky"),
                String.valueOf(k));

        assertThat(r.code).isEqualTo(expectedExit);
        assertThat(r.out).contains("attempt " + attempt + " of job flaky");
        if (expectedExit == 3) assertThat(r.err).contains("failing on purpose");
        else assertThat(r.out).contains("succeeded on attempt " + attempt);
    }

    @Test
    void succeedsOnTheThirdAttemptByDefault() {
        assertThat(run(Map.of("NIGHTSHIFT_ATTEMPT_ID", "j.r1.0.2")).code).isEqualTo(3);
        assertThat(run(Map.of("NIGHTSHIFT_ATTEMPT_ID", "j.r1.0.3")).code).isZero();
    }

    @Test
    void readsTheAttemptNumberFromTheLastPartOfTheAttemptId() {
        assertThat(FlakyJob.attemptNumber("my-job_2.r12.3.7")).isEqualTo(7);
    }

    @Test
    void withoutAnAttemptIdItExplainsAndExitsTwo() {
        Run r = run(Map.of());

        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("NIGHTSHIFT_ATTEMPT_ID is not set");
    }

    @ParameterizedTest
    @ValueSource(strings = {"job.r1.0.x", "job.r1.0.", "noDots", "job.r1.0.-1"})
    void aMalformedAttemptIdExitsTwo(String attemptId) {
        Run r = run(Map.of("NIGHTSHIFT_ATTEMPT_ID", attemptId));

        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("does not end in an attempt number");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "101", "three", "-1"})
    void aBadKExitsTwo(String k) {
        Run r = run(Map.of("NIGHTSHIFT_ATTEMPT_ID", "j.r1.0.1"), k);

        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).startsWith("FlakyJob: K: ");
    }

    @Test
    void moreThanOneArgumentExitsTwo() {
        assertThat(run(Map.of("NIGHTSHIFT_ATTEMPT_ID", "j.r1.0.1"), "1", "2").code).isEqualTo(2);
    }

    record Run(int code, String out, String err) {
    }

    static Run run(Map<String, String> env, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = FlakyJob.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
