package io.nightshift.coordinator.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.nightshift.coordinator.Coordinator;
import io.nightshift.coordinator.CoordinatorConfig;
import io.nightshift.coordinator.SecuritySettings;
import io.nightshift.coordinator.TestCoordinators;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens of an OIDC issuer: a JWKS served by a test server on 127.0.0.1, a key made here. A good token
 * gets its roles; an expired one, one of another issuer, for another audience or signed by a key the
 * JWKS does not hold is refused with 401. Opaque tokens keep working beside them.
 */
class JwtIT {
    static final String ISSUER = "https://idp.example.test";
    @TempDir
    static Path dir;
    static Vertx vertx;
    static HttpServer jwksServer;
    static final AtomicInteger jwksFetches = new AtomicInteger();
    static RSAKey key;
    static Coordinator coordinator;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        String jwks = new JWKSet(key.toPublicJWK()).toString();
        vertx = Vertx.vertx();
        jwksServer = vertx.createHttpServer().requestHandler(req -> {
            jwksFetches.incrementAndGet();
            req.response().putHeader("Content-Type", "application/json").end(jwks);
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        coordinator = Coordinator.start(CoordinatorConfig.from(TestCoordinators.config(dir)
                .with(SecuritySettings.JWT_ISSUER, ISSUER)
                .with(SecuritySettings.JWT_JWKS_URL, "http://127.0.0.1:" + jwksServer.actualPort() + "/jwks")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (coordinator != null) coordinator.close();
        if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static String token(RSAKey signer, String issuer, String audience, Instant expires, Object roles) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).subject("carol").audience(audience)
                .expirationTime(Date.from(expires)).issueTime(new Date()).claim("roles", roles).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(signer));
        return jwt.serialize();
    }

    static HttpResponse<String> get(String path, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(coordinator.url() + path)).timeout(Duration.ofSeconds(20));
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTokenOfTheIssuerForThisAudienceGetsItsRoles() throws Exception {
        String good = token(key, ISSUER, "nightshift", Instant.now().plusSeconds(300), List.of("read", "not-a-role"));
        HttpResponse<String> who = get("/v1/whoami", good);
        assertThat(who.statusCode()).as(who.body()).isEqualTo(200);
        assertThat(who.body()).contains("\"carol\"").contains("\"read\"").doesNotContain("not-a-role");
        assertThat(get("/v1/jobs", good).statusCode()).isEqualTo(200);
        assertThat(get("/v1/tokens", good).statusCode()).as("read is not admin").isEqualTo(403);
        // a space-separated claim (OAuth scope style) works too
        assertThat(get("/v1/tokens", token(key, ISSUER, "nightshift", Instant.now().plusSeconds(300), "read admin")).statusCode())
                .isEqualTo(200);
    }

    @Test
    void expiredOtherIssuerOtherAudienceOrUnknownKeyAre401() throws Exception {
        Instant soon = Instant.now().plusSeconds(300);
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("k2").generate();
        RSAKey sameKidOtherKey = new RSAKeyGenerator(2048).keyID("k1").generate();
        String[] refused = {
                token(key, ISSUER, "nightshift", Instant.now().minusSeconds(600), List.of("admin")),
                token(key, "https://evil.example.test", "nightshift", soon, List.of("admin")),
                token(key, ISSUER, "another-service", soon, List.of("admin")),
                token(stranger, ISSUER, "nightshift", soon, List.of("admin")),
                token(sameKidOtherKey, ISSUER, "nightshift", soon, List.of("admin")),
        };
        for (String t : refused) {
            HttpResponse<String> r = get("/v1/whoami", t);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
            assertThat(r.body()).contains("invalid-token");
        }
    }

    @Test
    void opaqueTokensStillWorkBesideJwts() throws Exception {
        assertThat(get("/v1/whoami", coordinator.adminToken()).body()).contains("\"admin\"");
        assertThat(get("/v1/whoami", null).statusCode()).isEqualTo(401);
    }
}
