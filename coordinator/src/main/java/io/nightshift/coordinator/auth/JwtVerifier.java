package io.nightshift.coordinator.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies JWTs of an OIDC/OAuth issuer (nimbus-jose-jwt): the signature with a key of the issuer's
 * JWKS (fetched from {@code jwksUrl}, cached, fetched again, rate-limited, when a token names an
 * unknown {@code kid}), only asymmetric algorithms (RSA, EC, EdDSA: never {@code none} or HMAC), the
 * issuer exactly, the audience, {@code exp} (60 s of clock skew) and {@code nbf}. The subject is
 * {@code sub}; the roles are the strings of the {@code rolesClaim} claim (a list, or a space-separated
 * string like OAuth's {@code scope}) that are Nightshift roles ({@link Roles}); others are ignored.
 * Blocking (the JWKS fetch): call off the event loop.
 */
public final class JwtVerifier {
    private static final Logger log = LoggerFactory.getLogger(JwtVerifier.class);
    /** What a JWS in compact form looks like (bounded in {@link Authenticator#wellFormed}). */
    static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    /** A verified token: who, with which roles, until when. */
    public record Verified(Principal principal, Instant expires) {
    }

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String rolesClaim;
    private final String issuer;

    public JwtVerifier(String issuer, String jwksUrl, String audience, String rolesClaim) {
        this.issuer = issuer;
        this.rolesClaim = rolesClaim;
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.<SecurityContext>create(URI.create(jwksUrl).toURL(),
                    new DefaultResourceRetriever(5_000, 5_000, 512 * 1024)).build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the JWKS URL '" + jwksUrl + "' is not a URL", e);
        }
        processor.setJWSTypeVerifier(new com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier<>(
                com.nimbusds.jose.JOSEObjectType.JWT, new com.nimbusds.jose.JOSEObjectType("at+jwt"), null));
        Set<JWSAlgorithm> asymmetric = new HashSet<>(JWSAlgorithm.Family.SIGNATURE);
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(asymmetric, keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience,
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp", "iss", "aud")));
    }

    public static boolean looksLikeJwt(String token) {
        return token != null && token.startsWith("eyJ") && SHAPE.matcher(token).matches();
    }

    /** The principal of a valid token; empty when it is forged, expired, for another issuer or audience, or signed by an unknown key. */
    public Optional<Verified> verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (BadJOSEException e) {
            log.info("refused a JWT (issuer {}): {}", issuer, e.getMessage()); // never the token
            return Optional.empty();
        } catch (java.text.ParseException e) {
            return Optional.empty();
        } catch (com.nimbusds.jose.JOSEException e) {
            // the JWKS could not be fetched or a key is unusable: refused now, retried by the next call
            log.warn("cannot verify a JWT of issuer {}: {}", issuer, e.getMessage());
            return Optional.empty();
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank() || subject.length() > 256) return Optional.empty();
        List<String> roles = new ArrayList<>();
        Object raw = claims.getClaim(rolesClaim);
        if (raw instanceof String s) roles.addAll(List.of(s.trim().split("\\s+")));
        else if (raw instanceof List<?> list) for (Object o : list) if (o instanceof String r) roles.add(r);
        roles.removeIf(r -> Roles.problem(r) != null);
        if (roles.size() > Roles.MAX_ROLES) roles = roles.subList(0, Roles.MAX_ROLES);
        return Optional.of(new Verified(new Principal(subject, Set.copyOf(roles), "jwt:" + subject),
                claims.getExpirationTime().toInstant()));
    }
}
