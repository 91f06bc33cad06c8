package io.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.JobSpecParser;
import io.nightshift.api.spec.JobType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example spec shipped in the jar is a job the coordinator would accept. */
class ExampleSpecsTest {

    static final String ID = "[A-Za-z0-9][A-Za-z0-9_-]{0,63}";

    static List<String> specs() {
        return resource("examples/INDEX").lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }

    @Test
    void theIndexListsEveryJsonSpecAndEverySpecHasAYamlCopy() throws IOException {
        Path dir = classpathDir("examples");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")))
                    .containsExactlyInAnyOrderElementsOf(specs());
        }
        try (Stream<Path> files = Files.list(dir.resolve("yaml"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(specs().stream().map(ExampleSpecsTest::yamlName).toList());
        }
        assertThat(specs()).contains("command-hello.json", "command-fails.json", "jvm-pi.json");
    }

    @ParameterizedTest
    @MethodSource("specs")
    void isValidJsonWithTheRequiredFields(String file) throws IOException {
        JsonNode tree = new ObjectMapper().readTree(resource("examples/" + file));

        assertThat(tree.isObject()).isTrue();
        assertThat(tree.path("id").asText()).matches(ID);
        assertThat(tree.path("name").asText()).isNotBlank();
        assertThat(tree.path("queue").asText()).matches(ID);
        String type = tree.path("type").asText();
        assertThat(type).isIn("command", "jvm");
        assertThat(tree.has(type)).as("has its '%s' section", type).isTrue();
        assertThat(tree.has(type.equals("jvm") ? "command" : "jvm")).isFalse();
        assertThat(tree.path("resources").path("cpus").isNumber()).isTrue();
        assertThat(tree.path("resources").path("memMb").canConvertToLong()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("specs")
    void isAcceptedByTheCoordinatorsSpecParser(String file) {
        // The parser the coordinator uses for POST /v1/jobs: unknown fields, bounds, types.
        JobSpec spec = JobSpecParser.parse(resource("examples/" + file));

        assertThat(spec.id()).matches(ID);
        assertThat(spec.resources().cpus()).isPositive();
        assertThat(spec.resources().memMb()).isPositive();
        assertThat(spec.maxRuntime()).as("examples bound their runtime").isNotNull();
    }

    @ParameterizedTest
    @MethodSource("specs")
    void theYamlCopyIsTheSameJob(String file) throws IOException {
        JsonNode json = new ObjectMapper().readTree(resource("examples/" + file));
        JsonNode yaml = new YAMLMapper().readTree(resource("examples/yaml/" + yamlName(file)));

        assertThat(yaml).isEqualTo(json);
    }

    @ParameterizedTest
    @MethodSource("specs")
    void jvmExamplesRunAMainClassOfThisJarFromThePlaceholderPath(String file) throws Exception {
        JobSpec spec = JobSpecParser.parse(resource("examples/" + file));
        if (spec.type() != JobType.JVM) return;

        assertThat(spec.jvm().classpath()).containsExactly("${EXAMPLES_JAR}");
        Class<?> main = Class.forName(spec.jvm().mainClass());
        assertThat(main.getPackageName()).isEqualTo("io.nightshift.examples");
        Method m = main.getMethod("main", String[].class);
        assertThat(Modifier.isStatic(m.getModifiers())).isTrue();
    }

    @Test
    void theExamplesCoverSuccessFailureAndRetries() {
        JobSpec hello = JobSpecParser.parse(resource("examples/command-hello.json"));
        JobSpec fails = JobSpecParser.parse(resource("examples/command-fails.json"));
        JobSpec pi = JobSpecParser.parse(resource("examples/jvm-pi.json"));

        assertThat(hello.type()).isEqualTo(JobType.COMMAND);
        assertThat(hello.command().shell()).contains("sleep 1");
        assertThat(fails.command().shell()).contains(">&2").endsWith("exit 3");
        assertThat(fails.retries().max()).isEqualTo(1);
        assertThat(fails.retries().backoff().initial()).hasSeconds(1);
        assertThat(pi.jvm().mainClass()).isEqualTo(PiEstimator.class.getName());
    }

    static String yamlName(String jsonFile) {
        return jsonFile.replaceAll("\\.json$", ".yaml");
    }

    static String resource(String name) {
        try (InputStream in = ExampleSpecsTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as("classpath resource %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path classpathDir(String name) {
        try {
            return Path.of(ExampleSpecsTest.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
