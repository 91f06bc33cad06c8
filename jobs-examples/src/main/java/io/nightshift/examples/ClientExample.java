package io.nightshift.examples;

import io.nightshift.api.client.NightshiftClient;
import io.nightshift.api.client.NightshiftException;
import io.nightshift.api.model.Job;
import io.nightshift.api.model.JobDetail;
import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.state.JobState;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A JVM user of Nightshift: submits the π estimator with the Java client
 * ({@link NightshiftClient}), follows its stdout while it runs, waits for the end and prints the
 * outcome. Needs {@code nightshift-api} and Jackson on the classpath besides this jar:
 *
 * <pre>
 * java -cp nightshift-examples.jar:&lt;nightshift-api and jackson jars&gt; io.nightshift.examples.ClientExample \
 *      [coordinatorUrl] [pathToNightshiftExamplesJarOnTheAgent]
 * </pre>
 *
 * The defaults are {@code $NIGHTSHIFT_URL} (else {@code http://127.0.0.1:7070}) and the jar this
 * class was loaded from, which is right in local mode (agent on the same machine). Exit codes: 0 the
 * job succeeded, 1 it ended otherwise, 2 bad arguments, 3 the coordinator could not be reached or
 * refused the job.
 */
public final class ClientExample {

    private ClientExample() {
    }

    public static void main(String[] args) {
        if (args.length > 2) {
            System.err.println("usage: ClientExample [coordinatorUrl] [pathToNightshiftExamplesJar]");
            System.exit(2);
        }
        URI coordinator;
        try {
            coordinator = new URI(args.length > 0 ? args[0]
                    : System.getenv().getOrDefault("NIGHTSHIFT_URL", "http://127.0.0.1:7070"));
        } catch (URISyntaxException e) {
            System.err.println("ClientExample: bad coordinator URL: " + e.getMessage());
            System.exit(2);
            return;
        }
        String jar = args.length > 1 ? args[1] : ownJar();
        System.exit(run(coordinator, spec(jar)));
    }

    /**
     * The same job as {@code examples/jvm-pi.json}, built in Java. The fixed id makes submission
     * idempotent: running this example twice returns the first job instead of starting a second.
     */
    static JobSpec spec(String examplesJar) {
        return JobSpec.jvm(PiEstimator.class.getName(), List.of(examplesJar))
                .id("pi-from-java")
                .name("Estimate pi (submitted from Java)")
                .args(List.of("20000000", "42"))
                .resources(1, 256)
                .maxRuntime(Duration.ofMinutes(5))
                .retries(1, Duration.ofSeconds(1), Duration.ofSeconds(10))
                .labels(Map.of("example", "client"))
                .build();
    }

    static int run(URI coordinator, JobSpec spec) {
        try (NightshiftClient client = NightshiftClient.connect(coordinator)) {
            Job job = client.submit(spec);
            System.out.println("submitted " + job.id() + " (" + job.state() + ") to " + client.baseUrl());

            // Prints the task's stdout as it is written; returns when the task ends.
            client.followLogs(job.id(), NightshiftClient.Stream.STDOUT, line -> System.out.println("  | " + line));

            JobDetail done = client.await(job.id(), Duration.ofMinutes(5));
            Job end = done.job();
            System.out.println("ended " + end.state() + (end.reason() == null ? "" : " (" + end.reason() + ")"));
            if (end.state() != JobState.SUCCEEDED) {
                System.out.println("--- stderr of the last attempt ---");
                System.out.print(client.logs(job.id(), NightshiftClient.Stream.STDERR));
                return 1;
            }
            return 0;
        } catch (NightshiftException e) {
            System.err.println("ClientExample: " + e.getMessage());
            e.problems().forEach(p -> System.err.println("  " + p));
            return 3;
        }
    }

    private static String ownJar() {
        try {
            return Path.of(ClientExample.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
