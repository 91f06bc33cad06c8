package io.nightshift.api.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code spark} and {@code hadoop} sections of a job spec, as {@link JobSpecParser} checks them. */
class JobSpecSparkTest {

    private static String q(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static final String JAR = "'artifacts':[{'uri':'hdfs:///apps/etl.jar','destination':'app/etl.jar'}]";

    private static String spark(String sparkJson) {
        return q("{'type':'spark','resources':{'cpus':2.5,'memMb':2048}," + JAR + ",'spark':" + sparkJson + "}");
    }

    private static List<Problem> problemsOf(String body) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> JobSpecParser.parse(body));
        assertThat(e).as("expected the spec to be rejected").isNotNull();
        return e.problems();
    }

    private static List<String> pathsOf(String body) {
        return problemsOf(body).stream().map(Problem::path).toList();
    }

    @Test
    void acceptsSparkSubmitsFieldsAndLeavesDefaultsOutOfTheJson() {
        JobSpec spec = JobSpecParser.parse(spark("{'appResource':'app/etl.jar','mainClass':'com.example.Etl',"
                + "'appArgs':['in','out'],'master':'local[*]','deployMode':'client','conf':{'spark.sql.shuffle.partitions':'4'},"
                + "'jars':['hdfs:///libs/udf.jar'],'files':['app/etl.jar'],'driverMemory':'1g','sparkVersion':'4.0.1'}"));
        assertThat(spec.type()).isEqualTo(JobType.SPARK);
        SparkSpec s = spec.spark();
        assertThat(s.appArgs()).containsExactly("in", "out");
        assertThat(s.conf()).isEqualTo(Map.of("spark.sql.shuffle.partitions", "4"));
        assertThat(s.jars()).containsExactly("hdfs:///libs/udf.jar");
        assertThat(s.driverMemory()).isEqualTo("1g");

        JobSpec minimal = JobSpecParser.parse(spark("{'appResource':'app/etl.jar','mainClass':'com.example.Etl'}"));
        assertThat(JobSpecParser.canonicalJson(minimal)).contains("\"spark\":{\"appResource\":\"app/etl.jar\",\"mainClass\":\"com.example.Etl\"}");
        assertThat(JobSpecParser.parse(JobSpecParser.canonicalJson(minimal))).isEqualTo(minimal.withId(null));
    }

    @Test
    void aPythonApplicationNeedsNoMainClass() {
        String body = q("{'type':'spark','artifacts':[{'uri':'s3://b/job.py'}],'spark':{'appResource':'job.py'}}");
        assertThat(JobSpecParser.parse(body).spark().mainClass()).isNull();
        assertThat(pathsOf(spark("{'appResource':'app/etl.jar'}"))).containsExactly("/spark/mainClass");
    }

    @Test
    void everyBadFieldIsNamedByItsPath() {
        List<String> paths = pathsOf(spark("{'appResource':'../etc/passwd','mainClass':'not a class','master':'mesos://x:5050',"
                + "'deployMode':'cluster','conf':{'fs.defaultFS':'x','spark.master':'local'},'jars':['a,b'],"
                + "'pyFiles':['/abs/lib.py'],'files':['ftp://host/f'],'driverMemory':'4g','sparkVersion':'latest','colour':1}"));
        assertThat(paths).containsExactlyInAnyOrder("/spark/appResource", "/spark/mainClass", "/spark/master",
                "/spark/deployMode", "/spark/conf/fs.defaultFS", "/spark/conf/spark.master", "/spark/jars/0",
                "/spark/pyFiles/0", "/spark/files/0", "/spark/driverMemory", "/spark/sparkVersion", "/spark/colour");
    }

    @Test
    void theAppResourceMustBeOneOfTheJobsArtifacts() {
        List<Problem> p = problemsOf(spark("{'appResource':'other.jar','mainClass':'com.example.Etl'}"));
        assertThat(p).singleElement().satisfies(x -> {
            assertThat(x.path()).isEqualTo("/spark/appResource");
            assertThat(x.message()).contains("names no artifact").contains("app/etl.jar");
        });
    }

    @Test
    void topLevelArgsAreRefusedForSparkAndHadoop() {
        String body = q("{'type':'spark','args':['x']," + JAR + ",'spark':{'appResource':'app/etl.jar','mainClass':'a.B'}}");
        assertThat(pathsOf(body)).containsExactly("/args");
    }

    @Test
    void theSectionMustMatchTheType() {
        assertThat(pathsOf(q("{'type':'spark'}"))).containsExactly("/spark");
        assertThat(pathsOf(q("{'type':'command','command':{'argv':['x']},'spark':{'appResource':'a.jar'}}")))
                .containsExactly("/spark");
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "local[4]", "local[*]", "local[2,3]", "spark://m1:7077", "spark://m1:7077,m2:7077",
            "yarn", "k8s://https://api.example.com:6443"})
    void acceptsTheMastersSparkKnows(String master) {
        assertThat(JobSpecParser.parse(spark("{'appResource':'app/etl.jar','mainClass':'a.B','master':'" + master + "'}"))
                .spark().master()).isEqualTo(master);
    }

    @Test
    void hadoopJobs() {
        JobSpec spec = JobSpecParser.parse(q("{'type':'hadoop','artifacts':[{'uri':'hdfs:///apps/wc.jar'}],'hadoop':{'jar':'wc.jar',"
                + "'mainClass':'com.example.WordCount','args':['in','out'],'conf':{'mapreduce.job.reduces':'2'}}}"));
        assertThat(spec.hadoop().args()).containsExactly("in", "out");
        assertThat(spec.hadoop().conf()).containsEntry("mapreduce.job.reduces", "2");
        assertThat(pathsOf(q("{'type':'hadoop','resources':{'memMb':512},'artifacts':[{'uri':'hdfs:///apps/wc.jar'}],"
                + "'hadoop':{'jar':'/etc/x.jar','mainClass':'1x','conf':{'-bad':'v'},'heapMb':4096}}")))
                .containsExactlyInAnyOrder("/hadoop/jar", "/hadoop/mainClass", "/hadoop/conf/-bad", "/hadoop/heapMb");
        assertThat(pathsOf(q("{'type':'hadoop','artifacts':[{'uri':'hdfs:///apps/wc.jar'}],'hadoop':{'jar':'nope.jar','mainClass':'a.B'}}")))
                .containsExactly("/hadoop/jar");
    }
}
