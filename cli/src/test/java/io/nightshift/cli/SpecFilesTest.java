package io.nightshift.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.JobSpecParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecFilesTest {
    static final String JSON = """
            {
              "id": "nightly-report",
              "name": "Nightly report",
              "queue": "analytics",
              "type": "command",
              "command": { "argv": ["python3", "report.py", "--date", "2025-03-01"] },
              "resources": { "cpus": 0.5, "memMb": 512 },
              "env": { "MODE": "full", "EMPTY": "" },
              "args": ["--verbose"],
              "retries": { "max": 2, "backoff": { "initial": "PT5S", "max": "PT1M" } },
              "maxRuntime": "PT2H",
              "priority": 10,
              "labels": { "team": "data", "tier": "1" }
            }
            """;

    static final String YAML = """
            # the same job as JSON
            id: nightly-report
            name: Nightly report
            queue: analytics
            type: command
            command:
              argv: [python3, report.py, --date, "2025-03-01"]
            resources:
              cpus: 0.5
              memMb: 512
            env:
              MODE: full
              EMPTY: ""
            args:
              - --verbose
            retries:
              max: 2
              backoff: {initial: PT5S, max: PT1M}
            maxRuntime: PT2H
            priority: 10
            labels:
              team: data
              tier: "1"
            """;

    @TempDir
    Path dir;

    private JsonNode read(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content);
        return SpecFiles.read(name, dir, InputStream.nullInputStream());
    }

    private static InputStream stdin(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void yamlGivesTheSameSpecAsJson() throws IOException {
        JsonNode fromJson = read("job.json", JSON);
        JsonNode fromYaml = read("job.yaml", YAML);

        assertThat(fromYaml).isEqualTo(fromJson);
        JobSpec a = JobSpecParser.parse(fromJson);
        JobSpec b = JobSpecParser.parse(fromYaml);
        assertThat(b).isEqualTo(a);
        assertThat(b.resources().cpus()).isEqualTo(0.5);
        assertThat(b.labels()).containsEntry("tier", "1");
    }

    @Test
    void theYmlExtensionIsYamlToo() throws IOException {
        assertThat(read("job.yml", YAML)).isEqualTo(read("job.json", JSON));
    }

    @Test
    void stdinIsSniffedJsonWhenItOpensAnObjectElseYaml() {
        JsonNode json = SpecFiles.read("-", dir, stdin("\n  " + JSON));
        JsonNode yaml = SpecFiles.read("-", dir, stdin(YAML));

        assertThat(yaml).isEqualTo(json);
        assertThat(SpecFiles.sniff("  {\"a\":1}".getBytes(StandardCharsets.UTF_8))).isEqualTo(SpecFiles.Format.JSON);
        assertThat(SpecFiles.sniff("a: 1".getBytes(StandardCharsets.UTF_8))).isEqualTo(SpecFiles.Format.YAML);
        assertThat(SpecFiles.sniff("# comment\n{}".getBytes(StandardCharsets.UTF_8))).isEqualTo(SpecFiles.Format.YAML);
    }

    @Test
    void anUnknownExtensionIsSniffed() throws IOException {
        assertThat(read("job.spec", YAML)).isEqualTo(read("job.json", JSON));
    }

    @Test
    void brokenJsonIsAUsageErrorWithTheLine() {
        assertThatThrownBy(() -> read("bad.json", "{\n  \"id\": \"x\",\n  \"type\" \"command\"\n}"))
                .isInstanceOfSatisfying(CliException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(2);
                    assertThat(e.getMessage()).startsWith("cannot read bad.json as JSON at line 3");
                });
    }

    @Test
    void brokenYamlIsAUsageErrorWithTheLine() {
        assertThatThrownBy(() -> read("bad.yaml", "id: x\ntype: [command\n"))
                .isInstanceOfSatisfying(CliException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(2);
                    assertThat(e.getMessage()).startsWith("cannot read bad.yaml as YAML at line");
                });
    }

    @Test
    void aMissingFileIsAUsageError() {
        assertThatThrownBy(() -> SpecFiles.read("nope.json", dir, InputStream.nullInputStream()))
                .isInstanceOfSatisfying(CliException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(2);
                    assertThat(e.getMessage()).isEqualTo("no such file: nope.json");
                });
    }

    @Test
    void anEmptyDocumentOrAListIsNotASpec() {
        assertThatThrownBy(() -> read("empty.yaml", "# nothing\n")).hasMessage("empty.yaml is empty; expected a job spec");
        assertThatThrownBy(() -> read("list.json", "[1,2]")).hasMessage("list.json must hold one job spec (an object), not array");
    }

    @Test
    void aFileOverOneMebibyteIsRefusedBeforeParsing() throws IOException {
        Files.write(dir.resolve("huge.json"), new byte[JobSpecParser.MAX_BODY_BYTES + 10]);

        assertThatThrownBy(() -> SpecFiles.read("huge.json", dir, InputStream.nullInputStream()))
                .hasMessage("huge.json is larger than the limit of 1 MiB for a job spec");
    }
}
