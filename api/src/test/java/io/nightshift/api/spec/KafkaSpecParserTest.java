package io.nightshift.api.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSpecParserTest {

    private static String q(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    /** A valid drain job into the built-in sink, with {@code extra} fields in the kafka section and {@code top} outside. */
    private static String kafka(String extra, String top) {
        return q("{'type':'kafka','kafka':{'bootstrapServers':'127.0.0.1:9092','topics':['orders'],'groupId':'export',"
                + "'mode':'drain','sink':{'path':'/data/orders'}" + (extra.isEmpty() ? "" : "," + extra) + "}"
                + (top.isEmpty() ? "" : "," + top) + "}");
    }

    private static List<Problem> problemsOf(String body) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> JobSpecParser.parse(body));
        assertThat(e).as("expected the spec to be rejected").isNotNull();
        return e.problems();
    }

    private static Problem only(List<Problem> problems) {
        assertThat(problems).hasSize(1);
        return problems.get(0);
    }

    @Test
    void drainJobIntoTheSinkGetsItsDefaults() {
        JobSpec spec = JobSpecParser.parse(kafka("", "'instances':3"));
        assertThat(spec.type()).isEqualTo(JobType.KAFKA);
        assertThat(spec.instances()).isEqualTo(3);
        KafkaSpec k = spec.kafka();
        assertThat(k.topics()).containsExactly("orders");
        assertThat(k.mode()).isEqualTo(KafkaSpec.Mode.DRAIN);
        assertThat(k.maxPollRecords()).isEqualTo(500);
        assertThat(k.commitInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(k.sink().rollBytes()).isEqualTo(64L << 20);
        assertThat(k.sink().rollInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(k.consumerConfig()).isEmpty();
    }

    @Test
    void theSinkTakesParquetAndHdfsOrS3TargetsAndLeavesTheDefaultFormatOutOfTheJson() {
        KafkaSpec.SinkSpec parquet = JobSpecParser.parse(kafka("", "").replace("'/data/orders'".replace('\'', '"'),
                q("'s3://exports.bucket/orders/day-1','format':'parquet'"))).kafka().sink();
        assertThat(parquet.formatOrDefault()).isEqualTo(KafkaSpec.Format.PARQUET);
        assertThat(parquet.scheme()).isEqualTo(KafkaSpec.SinkSpec.Scheme.S3);
        assertThat(io.nightshift.api.json.Json.write(parquet)).contains("\"format\":\"parquet\"");
        KafkaSpec.SinkSpec hdfs = JobSpecParser.parse(kafka("", "").replace("'/data/orders'".replace('\'', '"'),
                q("'hdfs:///exports/orders','format':'ndjson'"))).kafka().sink();
        assertThat(hdfs.scheme()).isEqualTo(KafkaSpec.SinkSpec.Scheme.HDFS);
        assertThat(hdfs.formatOrDefault()).isEqualTo(KafkaSpec.Format.NDJSON);
        assertThat(io.nightshift.api.json.Json.write(hdfs)).doesNotContain("format");
    }

    @Test
    void aBadSinkPathOrFormatIsNamedByItsPath() {
        for (String bad : List.of("relative/dir", "ftp://host/dir", "s3://", "s3://Bad_Bucket/x", "hdfs://nn:8020",
                "s3://user:pw@bucket/x", "/data/../etc")) {
            Problem p = only(problemsOf(kafka("", "").replace("\"/data/orders\"", "\"" + bad + "\"")));
            assertThat(p.path()).as(bad).isEqualTo("/kafka/sink/path");
        }
        Problem f = only(problemsOf(kafka("", "").replace("\"/data/orders\"", q("'/data/orders','format':'avro'"))));
        assertThat(f.path()).isEqualTo("/kafka/sink/format");
        assertThat(f.message()).contains("ndjson or parquet").contains("avro");
    }

    @Test
    void consumerConfigValuesThatKafkaAcceptsAreKeptAsText() {
        KafkaSpec k = JobSpecParser.parse(kafka("'consumerConfig':{'auto.offset.reset':'earliest','fetch.min.bytes':1024,"
                + "'check.crcs':false}", "")).kafka();
        assertThat(k.consumerConfig()).isEqualTo(Map.of("auto.offset.reset", "earliest", "fetch.min.bytes", "1024",
                "check.crcs", "false"));
    }

    @Test
    void anUnknownConsumerSettingIsNamedByItsPath() {
        Problem p = only(problemsOf(kafka("'consumerConfig':{'fetch.max.byts':'1'}", "")));
        assertThat(p.path()).isEqualTo("/kafka/consumerConfig/fetch.max.byts");
        assertThat(p.message()).contains("not a Kafka consumer setting");
    }

    @Test
    void aValueKafkasValidatorRefusesIsNamedWithWhatIsAllowed() {
        Problem p = only(problemsOf(kafka("'consumerConfig':{'auto.offset.reset':'sometimes','max.poll.interval.ms':'soon'}", ""))
                .stream().filter(x -> x.path().endsWith("auto.offset.reset")).toList());
        assertThat(p.message()).contains("earliest").contains("sometimes");
        assertThat(problemsOf(kafka("'consumerConfig':{'max.poll.interval.ms':'soon'}", "")))
                .extracting(Problem::path).containsExactly("/kafka/consumerConfig/max.poll.interval.ms");
    }

    @Test
    void keysTheHarnessOwnsAreRefusedWithTheFieldToUseInstead() {
        List<Problem> problems = problemsOf(kafka("'consumerConfig':{'group.id':'x','enable.auto.commit':'true'}", ""));
        assertThat(problems).extracting(Problem::path).containsExactlyInAnyOrder(
                "/kafka/consumerConfig/group.id", "/kafka/consumerConfig/enable.auto.commit");
        assertThat(problems.get(0).message()).contains("kafka.groupId");
    }

    @Test
    void passwordValuesNeverAppearInMessages() {
        Problem p = only(problemsOf(kafka("'consumerConfig':{'ssl.key.password':['hunter2']}", "")));
        assertThat(p.message()).doesNotContain("hunter2");
    }

    @Test
    void missingBootstrapServersAndBadServersAreProblems() {
        String missing = q("{'type':'kafka','kafka':{'topics':['t'],'groupId':'g','mode':'stream','handler':'a.B'}}");
        assertThat(only(problemsOf(missing)).path()).isEqualTo("/kafka/bootstrapServers");
        Problem bad = only(problemsOf(kafka("", "").replace("127.0.0.1:9092", "127.0.0.1:99999")));
        assertThat(bad.path()).isEqualTo("/kafka/bootstrapServers");
        assertThat(bad.message()).contains("host:port");
    }

    @Test
    void topicsAndPatternAndHandlerAndSinkAreEachExactlyOne() {
        List<Problem> problems = problemsOf(kafka("'topicPattern':'ord.*','handler':'com.example.H'", ""));
        assertThat(problems).extracting(Problem::path).containsExactly("/kafka", "/kafka");
        assertThat(only(problemsOf(kafka("", "").replace("\"orders\"", "\"bad topic\""))).path())
                .isEqualTo("/kafka/topics/0");
    }

    @Test
    void modeIsRequiredAndChecked() {
        assertThat(only(problemsOf(kafka("", "").replace("\"drain\"", "\"forever\""))).path()).isEqualTo("/kafka/mode");
    }

    @Test
    void theKillGraceMustExceedTheCommitInterval() {
        Problem p = only(problemsOf(kafka("'commitInterval':'PT30S'", "")));
        assertThat(p.path()).isEqualTo("/killGracePeriod");
        assertThat(p.message()).contains("PT30S").contains("the default");
        assertThat(JobSpecParser.parse(kafka("'commitInterval':'PT30S'", "'killGracePeriod':'PT1M'")).killGracePeriod())
                .isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aKafkaSectionOnAnotherTypeIsRefused() {
        String body = q("{'type':'command','command':{'argv':['x']},'kafka':{}}");
        assertThat(only(problemsOf(body)).path()).isEqualTo("/kafka");
    }

    @Test
    void theSpecSurvivesAJsonRoundTripWithTheSameHash() {
        JobSpec spec = JobSpecParser.parse(kafka("'consumerConfig':{'auto.offset.reset':'earliest'}", ""));
        JobSpec again = JobSpecParser.parse(io.nightshift.api.json.Json.write(spec));
        assertThat(again).isEqualTo(spec);
        assertThat(JobSpecParser.canonicalHash(again)).isEqualTo(JobSpecParser.canonicalHash(spec));
    }

    @Test
    void supervisionDefaultsApplyAndStayOutOfTheStoredJson() {
        KafkaSpec k = JobSpecParser.parse(kafka("", "")).kafka();
        assertThat(k.recordAttemptsOrDefault()).isEqualTo(3);
        assertThat(k.onPoisonOrDefault()).isEqualTo(KafkaSpec.PoisonAction.FAIL);
        assertThat(k.stuckAfterOrDefault()).isEqualTo(Duration.ofMinutes(5));
        String json = io.nightshift.api.json.Json.write(k);
        assertThat(json).doesNotContain("recordAttempts", "onPoison", "deadLetterTopic", "stuckAfter");
    }

    @Test
    void poisonRecordsCanGoToADeadLetterTopic() {
        KafkaSpec k = JobSpecParser.parse(kafka("'recordAttempts':2,'onPoison':'deadLetter','deadLetterTopic':'orders.dlq',"
                + "'stuckAfter':'PT30S'", "")).kafka();
        assertThat(k.recordAttemptsOrDefault()).isEqualTo(2);
        assertThat(k.onPoisonOrDefault()).isEqualTo(KafkaSpec.PoisonAction.DEAD_LETTER);
        assertThat(k.deadLetterTopic()).isEqualTo("orders.dlq");
        assertThat(k.stuckAfterOrDefault()).isEqualTo(Duration.ofSeconds(30));
        KafkaSpec back = io.nightshift.api.json.Json.read(io.nightshift.api.json.Json.write(k), KafkaSpec.class);
        assertThat(back).isEqualTo(k);
    }

    @Test
    void aDeadLetterPolicyWithoutItsTopicIsRefused() {
        Problem p = only(problemsOf(kafka("'onPoison':'deadLetter'", "")));
        assertThat(p.path()).isEqualTo("/kafka/deadLetterTopic");
        assertThat(p.message()).contains("required with onPoison deadLetter");
    }

    @Test
    void badSupervisionFieldsAreNamedByTheirPaths() {
        assertThat(only(problemsOf(kafka("'onPoison':'skip'", ""))).path()).isEqualTo("/kafka/onPoison");
        assertThat(only(problemsOf(kafka("'recordAttempts':0", ""))).path()).isEqualTo("/kafka/recordAttempts");
        assertThat(only(problemsOf(kafka("'stuckAfter':'PT0.5S'", ""))).path()).isEqualTo("/kafka/stuckAfter");
        assertThat(only(problemsOf(kafka("'deadLetterTopic':'bad topic'", ""))).path()).isEqualTo("/kafka/deadLetterTopic");
        Problem own = only(problemsOf(kafka("'onPoison':'deadLetter','deadLetterTopic':'orders'", "")));
        assertThat(own.path()).isEqualTo("/kafka/deadLetterTopic");
        assertThat(own.message()).contains("must not be one of the topics the job consumes");
    }
}
