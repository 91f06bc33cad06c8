package io.nightshift.api.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobPatchTest {
    private static List<Problem> problemsOf(String body) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> JobPatch.parse(body.getBytes(StandardCharsets.UTF_8)));
        assertThat(e).as("expected the patch to be refused").isNotNull();
        return e.problems();
    }

    @Test
    void instancesFromOneToAHundredAreAccepted() {
        assertThat(JobPatch.parse("{\"instances\":1}".getBytes(StandardCharsets.UTF_8)).instances()).isEqualTo(1);
        assertThat(JobPatch.parse("{\"instances\":100}".getBytes(StandardCharsets.UTF_8)).instances()).isEqualTo(100);
    }

    @Test
    void badInstancesAreNamedByTheirPath() {
        for (String bad : List.of("{\"instances\":0}", "{\"instances\":101}", "{\"instances\":2.5}", "{\"instances\":\"3\"}",
                "{\"instances\":null}", "{}")) {
            assertThat(problemsOf(bad)).as(bad).extracting(Problem::path).containsExactly("/instances");
        }
    }

    @Test
    void anyOtherFieldIsRefusedAndNothingButAnObjectIsRead() {
        assertThat(problemsOf("{\"instances\":2,\"queue\":\"x\"}")).extracting(Problem::path).containsExactly("/queue");
        assertThat(problemsOf("[1]")).isNotEmpty();
        assertThat(problemsOf("")).isNotEmpty();
    }
}
