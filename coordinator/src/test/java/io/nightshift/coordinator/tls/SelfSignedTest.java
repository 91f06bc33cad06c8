package io.nightshift.coordinator.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedTest {
    @TempDir
    Path dataDir;

    @Test
    void makesACertificateForTheLoopbackNamesWithAPrivateKeyOnceAndKeepsIt() throws Exception {
        SelfSigned.Pair pair = SelfSigned.ensure(dataDir);

        assertThat(pair.cert()).isEqualTo(dataDir.resolve("tls").resolve("cert.pem"));
        assertThat(Files.readString(pair.key())).startsWith("-----BEGIN PRIVATE KEY-----"); // PKCS#8
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pair.key()))).isEqualTo("rw-------");
        X509Certificate cert = read(pair.cert());
        List<String> names = new ArrayList<>();
        cert.getSubjectAlternativeNames().forEach(n -> names.add(String.valueOf(n.get(1))));
        assertThat(names).contains("localhost", "127.0.0.1");
        assertThat(names).anyMatch(n -> n.equals("::1") || n.equals("0:0:0:0:0:0:0:1"));
        assertThat(cert.getBasicConstraints()).as("its own CA").isGreaterThanOrEqualTo(0);
        assertThat(cert.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(360)));
        cert.verify(cert.getPublicKey()); // self-signed

        String before = Files.readString(pair.cert());
        SelfSigned.ensure(dataDir);
        assertThat(Files.readString(pair.cert())).as("a restart keeps the pair clients already trust").isEqualTo(before);
    }

    static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
