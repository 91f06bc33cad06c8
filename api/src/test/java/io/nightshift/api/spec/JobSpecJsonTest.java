package io.nightshift.api.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An accepted spec is stored and served as JSON through {@link Json}; reading it back must give the
 * same record and the same canonical hash, or idempotent resubmission would answer 409 for an
 * unchanged body.
 */
class JobSpecJsonTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "{'type':'command','command':{'argv':['echo','hi']}}",
            "{'type':'command','command':{'shell':'exit 3'},'id':'a-1','resources':{'cpus':0.25,'memMb':64}}",
            """
            {'id':'etl','name':'ETL','queue':'data','type':'jvm',
             'jvm':{'mainClass':'com.example.Main','classpath':['a.jar'],'jvmOptions':['-Xss2m'],'heapMb':512,
                    'javaHome':'/opt/jdk'},
             'resources':{'cpus':2,'memMb':1024,'diskMb':100,'gpus':1},'env':{'A':'1'},'args':['x'],
             'retries':{'max':3,'backoff':{'initial':'PT2S','max':'PT1M'}},'maxRuntime':'PT1H',
             'killGracePeriod':'PT0S','priority':7,'labels':{'team':'data'},'instances':2}"""})
    void roundTripsThroughTheSharedMapper(String singleQuoted) {
        JobSpec spec = JobSpecParser.parse(singleQuoted.replace('\'', '"'));

        String stored = Json.write(spec);
        JobSpec back = Json.read(stored, JobSpec.class);

        assertThat(back).isEqualTo(spec);
        assertThat(JobSpecParser.canonicalHash(back)).isEqualTo(JobSpecParser.canonicalHash(spec));
        assertThat(JobSpecParser.parse(stored)).as("what we serve is a valid spec again").isEqualTo(spec);
    }
}
