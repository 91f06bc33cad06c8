package io.nightshift.api.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.nightshift.api.json.Json;
import io.nightshift.api.model.Job;
import io.nightshift.api.protocol.CoordinatorMessage;
import io.nightshift.api.state.JobState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code secrets} section of a spec, and what {@link Redaction} masks in the API's view of a spec. */
class JobSpecSecretsTest {

    private static String q(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static List<Problem> problemsOf(String body) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> JobSpecParser.parse(body));
        assertThat(e).as("expected the spec to be rejected").isNotNull();
        return e.problems();
    }

    @Test
    void secretsMapVariablesToStoredSecretNamesAndSurviveACopy() {
        JobSpec spec = JobSpecParser.parse(q("{'type':'command','command':{'shell':'env'},"
                + "'secrets':{'DB_PASSWORD':'etl-db','API_KEY':'vendor.api-key'}}"));
        assertThat(spec.secrets()).containsExactlyInAnyOrderEntriesOf(Map.of("DB_PASSWORD", "etl-db", "API_KEY", "vendor.api-key"));
        assertThat(spec.toBuilder().build()).isEqualTo(spec);
        assertThat(Json.read(Json.write(spec), JobSpec.class)).isEqualTo(spec);
    }

    @Test
    void aSpecWithoutSecretsKeepsItsJsonWithoutTheField() {
        JobSpec spec = JobSpec.shell("true").build();
        assertThat(Json.write(spec)).doesNotContain("secrets");
    }

    @Test
    void refusesValuesBadNamesReservedNamesAndClashesWithEnvByPath() {
        List<Problem> p = problemsOf(q("{'type':'command','command':{'shell':'env'},'env':{'A':'1'},"
                + "'secrets':{'A':'a','NIGHTSHIFT_X':'b','1BAD':'c','OK':'Has Upper And Spaces','NUM':7}}"));
        assertThat(p).extracting(Problem::path).containsExactlyInAnyOrder(
                "/secrets/A", "/secrets/NIGHTSHIFT_X", "/secrets/1BAD", "/secrets/OK", "/secrets/NUM");
        assertThat(p).filteredOn(x -> x.path().equals("/secrets/OK")).singleElement()
                .satisfies(x -> assertThat(x.message()).contains("name of a stored secret").doesNotContain("Has Upper"));
    }

    @Test
    void refusesMoreThanThirtyTwoSecrets() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 33; i++) sb.append(i == 0 ? "" : ",").append("'V").append(i).append("':'s").append(i).append("'");
        assertThat(problemsOf(q("{'type':'command','command':{'shell':'env'},'secrets':{" + sb + "}}")))
                .extracting(Problem::path).containsExactly("/secrets");
    }

    @Test
    void theApiViewMasksSecretLookingEnvAndKafkaPasswordsButNotTheStoredSpec() throws Exception {
        JobSpec spec = JobSpecParser.parse(q("{'type':'kafka','env':{'DB_PASSWORD':'hunter2','GITHUB_TOKEN':'ghp_x',"
                + "'REGION':'eu-west-1'},'secrets':{'S3_SECRET':'s3'},'kafka':{'bootstrapServers':'localhost:9092',"
                + "'topics':['t'],'groupId':'g','mode':'drain','handler':'a.B','consumerConfig':{"
                + "'sasl.jaas.config':'org.apache.kafka.common.security.plain.PlainLoginModule required username=\\\"u\\\" password=\\\"pw1\\\";',"
                + "'ssl.truststore.password':'pw2','security.protocol':'SASL_SSL'}}}"));
        Job job = new Job(Job.SCHEMA_VERSION, "j", spec, "h", null, JobState.QUEUED, null, false, Instant.EPOCH,
                Instant.EPOCH, null, List.of(), "alice");
        String shown = Redaction.writeForApi(Map.of("jobs", List.of(job)));
        assertThat(shown).doesNotContain("hunter2", "ghp_x", "pw1", "pw2");
        JsonNode s = Json.mapper().readTree(shown).get("jobs").get(0).get("spec");
        assertThat(s.at("/env/DB_PASSWORD").asText()).isEqualTo(Redaction.MASK);
        assertThat(s.at("/env/GITHUB_TOKEN").asText()).isEqualTo(Redaction.MASK);
        assertThat(s.at("/env/REGION").asText()).isEqualTo("eu-west-1");
        assertThat(s.at("/secrets/S3_SECRET").asText()).as("names are not secret").isEqualTo("s3");
        assertThat(s.at("/kafka/consumerConfig/sasl.jaas.config").asText()).isEqualTo(Redaction.MASK);
        assertThat(s.at("/kafka/consumerConfig/ssl.truststore.password").asText()).isEqualTo(Redaction.MASK);
        assertThat(s.at("/kafka/consumerConfig/security.protocol").asText()).isEqualTo("SASL_SSL");
        assertThat(Json.write(job)).as("the stored form keeps what the task needs").contains("hunter2", "pw2");
    }

    @Test
    void aLaunchShowsNoSecretValueAndDropsThemForDisk() {
        var launch = new CoordinatorMessage.Launch("j", "j.r1", "j.r1.0", "a1", 1, JobSpec.shell("env").build(), 3,
                Map.of("DB_PASSWORD", "hunter2"));
        assertThat(launch.toString()).contains("DB_PASSWORD").doesNotContain("hunter2");
        assertThat(Json.write(launch.withoutSecrets())).doesNotContain("hunter2", "secrets");
        assertThat(Json.read(Json.write(launch), CoordinatorMessage.class)).isEqualTo(launch);
    }

    @Test
    void scrubReplacesEveryOccurrenceOfTheValues() {
        assertThat(Redaction.scrub("login hunter2 failed (hunter2)", List.of("hunter2", ""))).isEqualTo("login *** failed (***)");
    }
}
