package io.nightshift.api.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nightshift.api.json.Json;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code artifacts} section of a job spec, as {@link JobSpecParser} checks it. */
class JobSpecArtifactsTest {

    private static String q(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static String withArtifacts(String artifactsJson) {
        return q("{'type':'command','command':{'argv':['echo','hi']},'artifacts':" + artifactsJson + "}");
    }

    private static List<Problem> problemsOf(String body) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> JobSpecParser.parse(body));
        assertThat(e).as("expected the spec to be rejected").isNotNull();
        return e.problems();
    }

    private static Problem only(String artifactsJson) {
        List<Problem> p = problemsOf(withArtifacts(artifactsJson));
        assertThat(p).hasSize(1);
        return p.get(0);
    }

    @Test
    void acceptsEveryFieldAndAppliesDefaults() {
        String sha = "AB".repeat(32);
        JobSpec spec = JobSpecParser.parse(withArtifacts("[{'uri':'https://repo.example.com/libs/app-1.2.jar','sha256':'"
                + sha + "'},{'uri':'s3://bucket/tools/tools.tar.gz','executable':true},"
                + "{'uri':'hdfs:///apps/conf.zip','extract':false,'destination':'conf/conf.zip','cache':false},"
                + "{'uri':'file:///opt/shared/data.csv'},{'uri':'s3a://bucket/x/lib.tgz'}]"));
        List<ArtifactSpec> a = spec.artifacts();
        assertThat(a).hasSize(5);
        assertThat(a.get(0).sha256()).isEqualTo("ab".repeat(32));
        assertThat(a.get(0).extractEffective()).as(".jar stays a jar").isFalse();
        assertThat(a.get(0).target()).isEqualTo("app-1.2.jar");
        assertThat(a.get(0).cacheEffective()).isTrue();
        assertThat(a.get(1).extractEffective()).isTrue();
        assertThat(a.get(1).target()).isEqualTo("tools");
        assertThat(a.get(1).executable()).isTrue();
        assertThat(a.get(2).extractEffective()).isFalse();
        assertThat(a.get(2).target()).isEqualTo("conf/conf.zip");
        assertThat(a.get(2).cacheEffective()).isFalse();
        assertThat(a.get(3).target()).isEqualTo("data.csv");
        assertThat(a.get(4).scheme()).isEqualTo("s3");
        assertThat(a.get(4).target()).isEqualTo("lib");
    }

    @Test
    void specWithoutArtifactsKeepsItsCanonicalJson() {
        JobSpec spec = JobSpecParser.parse(q("{'type':'command','command':{'argv':['echo','hi']}}"));
        assertThat(spec.artifacts()).isEmpty();
        assertThat(JobSpecParser.canonicalJson(spec)).doesNotContain("artifacts");
    }

    @Test
    void artifactsSurviveAJsonRoundTrip() throws Exception {
        JobSpec spec = JobSpecParser.parse(withArtifacts("[{'uri':'https://h/app.jar','destination':'lib/app.jar'}]"));
        JobSpec back = Json.mapper().readValue(Json.write(spec), JobSpec.class);
        assertThat(back).isEqualTo(spec);
        assertThat(JobSpecParser.canonicalHash(back)).isEqualTo(JobSpecParser.canonicalHash(spec));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://host/app.jar", "gopher://host/x", "jar:file:/x!/y", "data:text/plain,hi"})
    void unknownSchemeIsRefusedNamingTheAllowedOnes(String uri) {
        Problem p = only("[{'uri':'" + uri + "'}]");
        assertThat(p.path()).isEqualTo("/artifacts/0/uri");
        assertThat(p.message()).contains("allowed schemes: http, https, hdfs, s3, s3a, file");
    }

    @Test
    void credentialsInTheUriAreRefusedWithoutEchoingThem() {
        Problem p = only("[{'uri':'https://alice:s3cr3t@repo.example.com/app.jar'}]");
        assertThat(p.path()).isEqualTo("/artifacts/0/uri");
        assertThat(p.message()).contains("credentials").doesNotContain("s3cr3t").doesNotContain("alice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape.jar", "lib/../../escape.jar", "/etc/passwd", "a//b", "./a", "stdout",
            "task.json/x", ".hidden", "lib/.x", "a\\\\b"})
    void destinationOutsideTheSandboxOrOnItsOwnFilesIsRefused(String destination) {
        Problem p = only("[{'uri':'https://h/app.jar','destination':'" + destination + "'}]");
        assertThat(p.path()).isEqualTo("/artifacts/0/destination");
    }

    @Test
    void aUriWhoseFileNameIsReservedNeedsADestination() {
        Problem p = only("[{'uri':'https://h/files/stdout'}]");
        assertThat(p.path()).isEqualTo("/artifacts/0/uri");
        assertThat(p.message()).contains("set a destination");
        assertThat(JobSpecParser.parse(withArtifacts("[{'uri':'https://h/files/stdout','destination':'out.txt'}]"))
                .artifacts().get(0).target()).isEqualTo("out.txt");
    }

    @Test
    void twoArtifactsOnOnePathAreRefused() {
        Problem p = only("[{'uri':'https://a/app.jar'},{'uri':'s3://b/k/app.jar'}]");
        assertThat(p.path()).isEqualTo("/artifacts/1/uri");
        assertThat(p.message()).contains("\"app.jar\"");
    }

    @Test
    void boundsOnCountAndLengths() {
        String many = IntStream.range(0, ArtifactRules.MAX_ARTIFACTS + 1)
                .mapToObj(i -> "{'uri':'https://h/a" + i + ".jar'}").collect(Collectors.joining(",", "[", "]"));
        assertThat(only(many).message()).contains("at most 64 entries");
        String longUri = "https://h/" + "a".repeat(ArtifactRules.MAX_URI_CHARS) + ".jar";
        assertThat(only("[{'uri':'" + longUri + "'}]").message()).contains("at most 4096 characters");
        String longDest = "d".repeat(ArtifactRules.MAX_DESTINATION_CHARS + 1);
        assertThat(only("[{'uri':'https://h/a.jar','destination':'" + longDest + "'}]").message())
                .contains("at most 1024 characters");
    }

    @Test
    void everyProblemIsListedByPath() {
        List<Problem> p = problemsOf(withArtifacts("[{'uri':'https://h/a.jar','sha256':'xyz','extract':'yes',"
                + "'colour':'red','cache':null},{'sha256':1},'https://h/b.jar',{'uri':'https://h/dir/'}]"));
        assertThat(p).extracting(Problem::path).containsExactlyInAnyOrder("/artifacts/0/sha256", "/artifacts/0/extract",
                "/artifacts/0/colour", "/artifacts/0/cache", "/artifacts/1/uri", "/artifacts/1/sha256", "/artifacts/2",
                "/artifacts/3/uri");
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3://bucket", "s3://bucket/", "hdfs://nn", "file://otherhost/x.jar", "https:///x.jar",
            "file:///opt/../etc/x.jar", "https://h/app.jar#frag"})
    void malformedUrisAreRefused(String uri) {
        assertThat(only("[{'uri':'" + uri + "'}]").path()).isEqualTo("/artifacts/0/uri");
    }

    @Test
    void notAnArrayIsRefused() {
        assertThat(only("{'uri':'https://h/a.jar'}").path()).isEqualTo("/artifacts");
    }

    @Test
    void redactHidesUserInfoAndQueryValues() {
        assertThat(ArtifactRules.redact("https://u:p@h:8443/a.jar?X-Amz-Signature=abc&x=1"))
                .isEqualTo("https://***@h:8443/a.jar?X-Amz-Signature=***&x=***");
        assertThat(ArtifactRules.redact("https://h/a.jar")).isEqualTo("https://h/a.jar");
    }
}
