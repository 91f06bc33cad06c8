package io.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The notebook for notebook users opens in Jupyter and needs no {@code pip install}. */
class NotebookTest {

    static final Path NOTEBOOK = Path.of(System.getProperty("basedir", "."), "notebooks", "submit-and-follow.ipynb");

    /**
     * Python standard-library modules a notebook like this may reasonably import. Deliberately a
     * list, not "anything": a third-party import (requests, pandas...) fails the test.
     */
    static final Set<String> STDLIB = Set.of(
            "json", "os", "sys", "time", "datetime", "urllib", "http", "socket", "ssl", "base64", "uuid",
            "textwrap", "pprint", "itertools", "functools", "collections", "dataclasses", "typing", "re",
            "pathlib", "shutil", "tempfile", "threading", "queue", "contextlib", "math", "statistics",
            "random", "string", "signal", "subprocess", "io", "logging", "email", "html", "enum", "hashlib");

    static JsonNode nb;

    @BeforeAll
    static void read() throws IOException {
        nb = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readTree(Files.readString(NOTEBOOK));
    }

    @Test
    void isANbformat4Notebook() {
        assertThat(nb.path("nbformat").asInt()).isEqualTo(4);
        assertThat(nb.path("nbformat_minor").isInt()).isTrue();
        assertThat(nb.path("metadata").path("kernelspec").path("name").asText()).isEqualTo("python3");
        assertThat(nb.path("cells").isArray()).isTrue();
        assertThat(nb.path("cells").size()).isGreaterThan(3);
    }

    @Test
    void everyCellHasTheFieldsNbformatRequires() {
        Set<String> ids = new HashSet<>();
        for (JsonNode cell : nb.path("cells")) {
            assertThat(cell.path("cell_type").asText()).isIn("markdown", "code", "raw");
            assertThat(cell.path("metadata").isObject()).isTrue();
            JsonNode source = cell.path("source");
            assertThat(source.isTextual() || (source.isArray()
                    && StreamSupport.stream(source.spliterator(), false).allMatch(JsonNode::isTextual)))
                    .as("source is a string or a list of strings").isTrue();
            if (nb.path("nbformat_minor").asInt() >= 5) {
                assertThat(cell.path("id").asText()).matches("[A-Za-z0-9_-]{1,64}");
                assertThat(ids.add(cell.path("id").asText())).as("cell ids are unique").isTrue();
            }
            if (cell.path("cell_type").asText().equals("code")) {
                assertThat(cell.path("outputs").isArray()).isTrue();
                assertThat(cell.has("execution_count")).isTrue();
            }
        }
    }

    @Test
    void isCommittedWithoutOutputs() {
        for (JsonNode cell : codeCells()) {
            assertThat(cell.path("outputs")).isEmpty();
            assertThat(cell.path("execution_count").isNull()).isTrue();
        }
    }

    @Test
    void codeCellsImportOnlyTheStandardLibrary() {
        List<String> modules = imports(code());

        assertThat(modules).isNotEmpty().contains("urllib").allSatisfy(m -> assertThat(STDLIB).contains(m));
        assertThat(code()).doesNotContainPattern("(?m)^\\s*[!%](pip|conda|mamba)\\b")
                .doesNotContain("__import__").doesNotContain("importlib");
    }

    @Test
    void submitsPollsShowsFollowsLogsAndKillsAgainstNightshiftUrl() {
        String code = code();

        assertThat(code).contains("os.environ.get(\"NIGHTSHIFT_URL\", \"http://127.0.0.1:7070\")")
                .contains("call(\"POST\", \"/v1/jobs\"")
                .contains("\"/v1/jobs/\"")
                .contains("follow=true")
                .contains("call(\"DELETE\", \"/v1/jobs/\"");
    }

    @Test
    void theImportScannerSeesEveryForm() {
        assertThat(imports("import json, os as o\nfrom urllib import request\n  import pandas.io\nfrom .x import y\n"))
                .containsExactlyInAnyOrder("json", "os", "urllib", "pandas", ".x");
    }

    /** Top-level module names of every import statement ({@code import a.b, c as d}, {@code from e.f import g}). */
    static List<String> imports(String code) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*import\\s+([^#\\n]+)").matcher(code);
        while (m.find()) {
            for (String part : m.group(1).split(",")) {
                out.add(part.strip().split("\\s+")[0].split("\\.")[0]);
            }
        }
        Matcher f = Pattern.compile("(?m)^\\s*from\\s+(\\S+)\\s+import\\b").matcher(code);
        while (f.find()) {
            String module = f.group(1);
            out.add(module.startsWith(".") ? module : module.split("\\.")[0]);
        }
        return out;
    }

    static List<JsonNode> codeCells() {
        return StreamSupport.stream(nb.path("cells").spliterator(), false)
                .filter(c -> c.path("cell_type").asText().equals("code"))
                .toList();
    }

    static String code() {
        StringBuilder sb = new StringBuilder();
        for (JsonNode cell : codeCells()) {
            JsonNode source = cell.path("source");
            if (source.isTextual()) sb.append(source.asText());
            else source.forEach(line -> sb.append(line.asText()));
            sb.append('\n');
        }
        return sb.toString();
    }
}
