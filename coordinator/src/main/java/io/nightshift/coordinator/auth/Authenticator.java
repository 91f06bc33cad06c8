package io.nightshift.coordinator.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a bearer token into a {@link Principal}: a verified token is remembered (by its hash) for
 * {@code cacheFor}, so a request costs a map lookup; a revocation on this coordinator is seen at
 * once, on another coordinator within {@code cacheFor}. Unknown tokens are not remembered.
 *
 * <p>Opaque tokens rather than JWTs: revocation is immediate and shared through the database every
 * coordinator already uses, there is no signing key to distribute, rotate or leak, and a token
 * carries nothing a reader could decode.
 */
public final class Authenticator {
    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
    /** Bearer tokens we issue, and what a sane token of another issuer looks like: bounded, printable. */
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._~+/=-]{16,512}");
    static final int MAX_CACHED = 10_000;
    public static final String ADMIN_TOKEN_FILE = "admin.token";

    private record Cached(Principal principal, long untilMillis) {
    }

    private final TokenStore store;
    private final AgentCredentials agents;
    private final Clock clock;
    private final Duration cacheFor;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public Authenticator(TokenStore store, AgentCredentials agents, Clock clock, Duration cacheFor) {
        this.store = store;
        this.agents = agents;
        this.clock = clock;
        this.cacheFor = cacheFor;
    }

    public TokenStore store() {
        return store;
    }

    public AgentCredentials agents() {
        return agents;
    }

    public static boolean wellFormed(String token) {
        return token != null && (WELL_FORMED.matcher(token).matches()
                || token.length() <= MAX_JWT_CHARS && JwtVerifier.looksLikeJwt(token));
    }

    static final int MAX_JWT_CHARS = 8192;
    private volatile JwtVerifier jwt;

    /** Also accepts JWTs that {@code verifier} accepts (an OIDC issuer); null: opaque tokens only. */
    public Authenticator jwt(JwtVerifier verifier) {
        this.jwt = verifier;
        return this;
    }

    /** The principal of a token verified within the cache time, else null (then call {@link #verify}). Non-blocking. */
    public Principal cached(String token) {
        Cached c = cache.get(TokenStore.hash(token));
        if (c == null) return null;
        if (c.untilMillis < clock.millis()) {
            cache.remove(TokenStore.hash(token), c);
            return null;
        }
        return c.principal;
    }

    /** Asks the database. Blocking. Empty when the token is unknown or revoked. */
    public Optional<Principal> verify(String token) {
        JwtVerifier j = jwt;
        if (j != null && JwtVerifier.looksLikeJwt(token)) { // remembered until it expires, at most cacheFor
            Optional<JwtVerifier.Verified> v = j.verify(token);
            v.ifPresent(ok -> {
                if (cache.size() >= MAX_CACHED) cache.clear();
                cache.put(TokenStore.hash(token), new Cached(ok.principal(),
                        Math.min(ok.expires().toEpochMilli(), clock.millis() + cacheFor.toMillis())));
            });
            return v.map(JwtVerifier.Verified::principal);
        }
        Optional<Principal> p = store.verify(token).map(t -> new Principal(t.subject(), java.util.Set.copyOf(t.roles()), t.id()));
        if (p.isPresent()) {
            if (cache.size() >= MAX_CACHED) cache.clear();
            cache.put(TokenStore.hash(token), new Cached(p.get(), clock.millis() + cacheFor.toMillis()));
        }
        return p;
    }

    /** Revokes and forgets at once on this coordinator. Blocking. */
    public boolean revoke(String tokenId) {
        boolean found = store.revoke(tokenId, clock.instant());
        cache.values().removeIf(c -> tokenId.equals(c.principal.tokenId()));
        return found;
    }

    /**
     * On a cluster's first start (no token was ever created) creates an admin token and writes it to
     * {@code <dataDir>/admin.token}, readable by this user only (0600). Later starts keep the file as it
     * is. Returns the token in the file, if there is one. Blocking.
     */
    public Optional<String> bootstrap(Path dataDir) {
        Path file = dataDir.resolve(ADMIN_TOKEN_FILE);
        if (store.count() == 0) {
            TokenStore.Created c = store.create("admin", List.of(Roles.ADMIN), "bootstrap", clock.instant());
            writePrivate(file, c.token());
            log.info("created the first admin token {} and wrote it to {} (mode 0600); create others with 'nightshift tokens create'",
                    c.info().id(), file.toAbsolutePath());
            return Optional.of(c.token());
        }
        return readTokenFile(file);
    }

    /** The token in {@code file} (first line, trimmed), empty when the file does not exist. */
    public static Optional<String> readTokenFile(Path file) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? Optional.empty() : Optional.of(s.lines().findFirst().orElse(""));
        } catch (IOException e) {
            log.warn("cannot read token file {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    /** Writes {@code secret} to {@code file} with mode 0600 from the start (temp file + atomic move). */
    public static void writePrivate(Path file, String secret) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) { // not a POSIX file system
                Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                throw new IOException("cannot create " + tmp + ": it exists", e);
            }
            Files.writeString(tmp, secret + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
