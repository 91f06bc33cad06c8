package io.nightshift.api.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nightshift.api.Resources;
import io.nightshift.api.json.Json;
import io.nightshift.api.spec.InvalidSpecException;
import io.nightshift.api.spec.Problem;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueSpecParserTest {

    private static String q(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static List<Problem> problemsOf(String body) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> QueueSpecParser.parse(q(body)));
        assertThat(e).as("expected the queue to be rejected").isNotNull();
        return e.problems();
    }

    @Test
    void nameAloneGetsEveryDefault() {
        QueueSpec spec = QueueSpecParser.parse(q("{'name':'etl'}"));

        assertThat(spec).isEqualTo(new QueueSpec("etl", 1, Resources.ZERO, null, null, 0));
    }

    @Test
    void fullQueue() {
        QueueSpec spec = QueueSpecParser.parse(q("""
                {'name':'ml-training','weight':2.5,'guarantee':{'cpus':16,'memMb':65536,'gpus':2},
                 'limit':{'cpus':64.5,'gpus':8},'maxRunning':500,'defaultPriority':-10}"""));

        assertThat(spec.weight()).isEqualTo(2.5);
        assertThat(spec.guarantee()).isEqualTo(new Resources(16, 65536, 0, 2));
        assertThat(spec.limit()).as("absent dimensions of a limit are unlimited")
                .isEqualTo(new Resources(64.5, QueueSpecParser.MAX_MEM_MB, QueueSpecParser.MAX_DISK_MB, 8));
        assertThat(spec.maxRunning()).isEqualTo(500);
        assertThat(spec.defaultPriority()).isEqualTo(-10);
        assertThat(QueueSpecParser.parse(Json.write(spec))).as("what we serve reads back").isEqualTo(spec);
    }

    @Test
    void everyProblemIsListedByPath() {
        List<Problem> problems = problemsOf("""
                {'name':'ETL!','weight':0,'guarantee':{'cpus':-1,'memMb':1.5},'limit':{'gpus':99999999},
                 'maxRunning':0,'defaultPriority':5000,'owner':'x'}""");

        assertThat(problems).extracting(Problem::path).containsExactlyInAnyOrder("/owner", "/name", "/weight",
                "/guarantee/cpus", "/guarantee/memMb", "/limit/gpus", "/maxRunning", "/defaultPriority");
        assertThat(problems).contains(new Problem("/weight", "must be a number > 0 and <= 1000, got 0"),
                new Problem("/maxRunning", "must be an integer from 1 to 100000, got 0"));
    }

    @Test
    void pendingTimeoutIsADurationFromOneSecondToThirtyDays() {
        assertThat(QueueSpecParser.parse(q("{'name':'a','pendingTimeout':'PT10M'}")).pendingTimeout())
                .isEqualTo(java.time.Duration.ofMinutes(10));
        assertThat(QueueSpecParser.parse(q("{'name':'a'}")).pendingTimeout()).isNull();
        assertThat(problemsOf("{'name':'a','pendingTimeout':'P31D'}")).extracting(Problem::path).containsExactly("/pendingTimeout");
        assertThat(problemsOf("{'name':'a','pendingTimeout':5}")).extracting(Problem::path).containsExactly("/pendingTimeout");
    }

    @Test
    void guaranteeMustNotExceedTheLimit() {
        assertThat(problemsOf("{'name':'a','guarantee':{'cpus':8,'memMb':100},'limit':{'cpus':4,'memMb':100}}"))
                .containsExactly(new Problem("/guarantee/cpus", "must not exceed limit.cpus (4), got 8"));
    }

    @Test
    void weightAboveAThousandIsRejected() {
        assertThat(problemsOf("{'name':'a','weight':1000.5}")).extracting(Problem::path).containsExactly("/weight");
        assertThat(QueueSpecParser.parse(q("{'name':'a','weight':1000}")).weight()).isEqualTo(1000);
    }

    @Test
    void nameMayComeFromThePathButMustAgree() {
        byte[] body = q("{'weight':3}").getBytes(StandardCharsets.UTF_8);
        assertThat(QueueSpecParser.parse(body, "etl").name()).isEqualTo("etl");

        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> QueueSpecParser.parse(q("{'name':'other'}").getBytes(StandardCharsets.UTF_8), "etl"));
        assertThat(e.problems()).containsExactly(new Problem("/name", "must match the queue in the URL (\"etl\"), got \"other\""));
        assertThat(problemsOf("{}")).extracting(Problem::path).containsExactly("/name");
    }

    @Test
    void defaultQueueIsWeightOneWithoutGuaranteeOrLimit() {
        assertThat(QueueSpec.DEFAULT).isEqualTo(new QueueSpec("default", 1, Resources.ZERO, null, null, 0));
    }

    @Test
    void recordGuardsItsInvariants() {
        assertThatThrownBy(() -> QueueSpec.of("a", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QueueSpec.of("a", 1).withGuarantee(Resources.of(4, 0)).withLimit(Resources.of(2, 0)))
                .hasMessageContaining("exceeds limit");
    }

    @Test
    void malformedBodiesAreProblemsNotExceptions() {
        assertThat(problemsOf("[1]")).extracting(Problem::path).containsExactly("");
        assertThat(problemsOf("{'name':'a','name':'b'}")).isNotEmpty();
    }
}
