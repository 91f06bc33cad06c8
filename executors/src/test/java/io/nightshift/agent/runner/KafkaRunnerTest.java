package io.nightshift.agent.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.spec.KafkaSpec;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaRunnerTest {
    private static KafkaSpec spec(List<String> classpath, Long heapMb) {
        return new KafkaSpec("127.0.0.1:9092", List.of("t"), null, "g", KafkaSpec.Mode.DRAIN, "com.example.H", classpath,
                null, Map.of(), 0, null, heapMb);
    }

    @Test
    void runsTheHarnessMainWithTheHarnessFirstAndTheHandlersClasspathResolvedAgainstTheSandbox() {
        List<String> argv = KafkaRunner.argv(Path.of("/jdk/bin/java"), "/opt/harness/*", spec(List.of("lib/handler.jar",
                "/abs/x.jar"), null), 1024, Path.of("/sb"));
        assertThat(argv).containsExactly("/jdk/bin/java", "-Xmx768m",
                "-Dlogback.configurationFile=io/nightshift/harness/kafka/logback.xml", "-cp",
                "/opt/harness/*:/sb/lib/handler.jar:/abs/x.jar", KafkaRunner.MAIN_CLASS);
    }

    @Test
    void heapMbWinsOverTheShareOfMemory() {
        assertThat(KafkaRunner.argv(Path.of("java"), "h", spec(List.of(), 100L), 1024, Path.of("/sb")))
                .contains("-Xmx100m").contains("h");
    }

    @Test
    void theInstanceIsTheLastSegmentOfTheTaskId() {
        assertThat(KafkaRunner.instanceOf("export.r3.2")).isEqualTo(2);
        assertThat(KafkaRunner.instanceOf("weird")).isZero();
    }

    @Test
    void theHarnessLocationIsTheJarOrTheClassesDirectoryHoldingTheResource() throws Exception {
        assertThat(KafkaRunner.codeLocation(new URL("jar:file:/x/nightshift.jar!/" + KafkaRunner.HARNESS_CLASSPATH_RESOURCE)))
                .isEqualTo("/x/nightshift.jar");
        assertThat(KafkaRunner.codeLocation(new URL("file:/x/classes/" + KafkaRunner.HARNESS_CLASSPATH_RESOURCE)))
                .isEqualTo("/x/classes");
    }
}
