package io.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nightshift.api.spec.JobSpec;
import io.nightshift.api.spec.JobType;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import org.junit.jupiter.api.Test;

class ClientExampleTest {

    @Test
    void submitsThePiEstimatorFromTheGivenJar() {
        JobSpec spec = ClientExample.spec("/opt/nightshift/nightshift-examples.jar");

        assertThat(spec.id()).isEqualTo("pi-from-java");
        assertThat(spec.type()).isEqualTo(JobType.JVM);
        assertThat(spec.jvm().mainClass()).isEqualTo(PiEstimator.class.getName());
        assertThat(spec.jvm().classpath()).containsExactly("/opt/nightshift/nightshift-examples.jar");
        assertThat(spec.maxRuntime()).isNotNull();
    }

    @Test
    void exitsThreeWhenTheCoordinatorCannotBeReached() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }

        int code = ClientExample.run(URI.create("http://127.0.0.1:" + closedPort), ClientExample.spec("/x.jar"));

        assertThat(code).isEqualTo(3);
    }
}
