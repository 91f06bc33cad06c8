package io.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.JobSpecParser;
import io.nightshift.api.spec.JobType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every spec under jobs-examples/specs/ is accepted as it is, and names an example class that exists. */
class SpecsDirTest {
    @Test
    void everySpecParsesAndItsMainClassIsAnExample() throws Exception {
        Map<String, JobSpec> specs;
        try (Stream<Path> files = Files.list(Path.of("specs"))) {
            specs = files.filter(f -> f.toString().endsWith(".json")).collect(Collectors.toMap(
                    f -> f.getFileName().toString(), f -> JobSpecParser.parse(read(f))));
        }
        assertThat(specs).containsKeys("spark-etl.json", "spark-fails.json", "hadoop-wordcount.json", "spark-ml-training.json");
        for (JobSpec s : specs.values()) {
            String main = s.type() == JobType.SPARK ? s.spark().mainClass() : s.type() == JobType.HADOOP ? s.hadoop().mainClass() : null;
            if (main != null) assertThat(Class.forName(main, false, getClass().getClassLoader())).isNotNull();
        }
        assertThat(List.of(specs.get("spark-etl.json").type(), specs.get("hadoop-wordcount.json").type()))
                .containsExactly(JobType.SPARK, JobType.HADOOP);
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
