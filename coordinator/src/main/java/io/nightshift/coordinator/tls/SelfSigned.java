package io.nightshift.coordinator.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The self-signed TLS pair of a local cluster ({@code nightshift local --tls}): an ECDSA P-256 key and
 * a certificate for {@code localhost}, {@code 127.0.0.1}, {@code ::1} and this machine's name and
 * addresses, valid for a year, written once under {@code <data-dir>/tls/} as PEM ({@code cert.pem},
 * and {@code key.pem} with mode 0600). The certificate is its own CA: the CLI, the Java client and the
 * local agents trust exactly this file. Made with Bouncy Castle's X.509 builder and PEM writer.
 */
public final class SelfSigned {
    private static final Logger log = LoggerFactory.getLogger(SelfSigned.class);
    public static final String DIR = "tls";
    public static final String CERT = "cert.pem";
    public static final String KEY = "key.pem";
    static final Duration VALIDITY = Duration.ofDays(365);

    /** Where the pair lives. */
    public record Pair(Path cert, Path key) {
    }

    private SelfSigned() {
    }

    /** The pair under {@code dataDir}, made now if it is missing (or expires within a day). Blocking. */
    public static Pair ensure(Path dataDir) {
        Path dir = dataDir.resolve(DIR);
        Pair pair = new Pair(dir.resolve(CERT), dir.resolve(KEY));
        try {
            if (Files.isRegularFile(pair.cert()) && Files.isRegularFile(pair.key()) && !expiringSoon(pair.cert())) return pair;
            Files.createDirectories(dir);
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keys = gen.generateKeyPair();
            Set<String> names = names();
            X509Certificate cert = certificate(keys, names, Instant.now());
            writePem(pair.key(), new JcaPKCS8Generator(keys.getPrivate(), null).generate(), true);
            writePem(pair.cert(), cert, false);
            log.info("made a self-signed TLS certificate for {} in {} (key {} mode 0600); clients trust {}", names,
                    pair.cert(), pair.key(), pair.cert());
            return pair;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the self-signed TLS pair under " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a self-signed TLS certificate: " + e.getMessage(), e);
        }
    }

    /** localhost, the loopback addresses, and this machine's name and its addresses where they can be found. */
    static Set<String> names() {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            InetAddress me = InetAddress.getLocalHost();
            names.add(me.getHostName());
            names.add(me.getHostAddress());
        } catch (IOException e) {
            // no name: loopback only
        }
        return names;
    }

    static X509Certificate certificate(KeyPair keys, Set<String> names, Instant now)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        X500Name subject = new X500Name("CN=nightshift local");
        BigInteger serial = new BigInteger(64, new SecureRandom());
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial, Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(VALIDITY)), subject, keys.getPublic());
        List<GeneralName> san = new ArrayList<>();
        for (String n : names)
            san.add(n.matches("[0-9.]+") || n.contains(":") ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san.toArray(GeneralName[]::new)));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true)); // its own CA
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
        b.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(new KeyPurposeId[]{KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static boolean expiringSoon(Path cert) {
        try (var in = Files.newInputStream(cert)) {
            X509Certificate c = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
            return c.getNotAfter().toInstant().isBefore(Instant.now().plus(Duration.ofDays(1)));
        } catch (IOException | GeneralSecurityException e) {
            return true; // unreadable: make a new one
        }
    }

    private static void writePem(Path file, Object o, boolean secret) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret) Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, out.toString(), StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
