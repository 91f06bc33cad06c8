package io.nightshift.coordinator.auth;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nightshift.api.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Tokens in the coordinator's database ({@code ns_tokens}, migration V9): every coordinator of a
 * cluster shares them. A token is {@code nst_} + 32 random bytes (base64url); only its SHA-256 is
 * stored, so a copy of the database does not hand out working tokens. Blocking: call off the event loop.
 */
public final class TokenStore {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final TypeReference<List<String>> ROLES = new TypeReference<>() {
    };
    public static final String PREFIX = "nst_";

    private final DataSource db;

    public TokenStore(DataSource db) {
        this.db = db;
    }

    /** A token as created: the secret (shown once) and what is stored. */
    public record Created(String token, ApiToken info) {
    }

    /** A stored token with its hash, for verification. */
    record Row(ApiToken info, String hash) {
    }

    public Created create(String subject, List<String> roles, String createdBy, Instant now) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        byte[] idBytes = new byte[6];
        RANDOM.nextBytes(idBytes);
        String id = "tok-" + HexFormat.of().formatHex(idBytes);
        ApiToken info = new ApiToken(id, subject, Roles.checked(roles), now, createdBy, null);
        run(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO ns_tokens (id, hash, subject, roles, created_at, created_by, revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)")) {
                ps.setString(1, id);
                ps.setString(2, hash(token));
                ps.setString(3, subject);
                ps.setString(4, Json.write(info.roles()));
                ps.setLong(5, now.toEpochMilli());
                if (createdBy == null) ps.setNull(6, Types.VARCHAR);
                else ps.setString(6, createdBy);
                ps.executeUpdate();
            }
            return null;
        });
        return new Created(token, info);
    }

    /** The unrevoked token whose hash is {@code hash(token)}, if any. */
    public Optional<ApiToken> verify(String token) {
        String h = hash(token);
        return run(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, subject, roles, created_at, created_by, revoked_at FROM ns_tokens WHERE hash = ?")) {
                ps.setString(1, h);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.<ApiToken>empty();
                    ApiToken t = row(rs);
                    return t.revoked() ? Optional.<ApiToken>empty() : Optional.of(t);
                }
            }
        });
    }

    public List<ApiToken> list() {
        return run(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, subject, roles, created_at, created_by, revoked_at FROM ns_tokens ORDER BY created_at, id");
                 ResultSet rs = ps.executeQuery()) {
                List<ApiToken> out = new ArrayList<>();
                while (rs.next()) out.add(row(rs));
                return out;
            }
        });
    }

    public Optional<ApiToken> get(String id) {
        return run(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, subject, roles, created_at, created_by, revoked_at FROM ns_tokens WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.<ApiToken>empty();
                }
            }
        });
    }

    /** Revokes {@code id}; false when there is no such token. Revoking twice keeps the first time. */
    public boolean revoke(String id, Instant now) {
        return run(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE ns_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** How many tokens were ever created (revoked ones included): 0 means a new cluster. */
    public long count() {
        return run(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM ns_tokens"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static ApiToken row(ResultSet rs) throws SQLException {
        long revoked = rs.getLong(6);
        boolean wasNull = rs.wasNull();
        return new ApiToken(rs.getString(1), rs.getString(2), roles(rs.getString(3)),
                Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5), wasNull ? null : Instant.ofEpochMilli(revoked));
    }

    private static List<String> roles(String json) throws SQLException {
        try {
            return Json.mapper().readValue(json, ROLES);
        } catch (java.io.IOException e) {
            throw new SQLException("unreadable roles column: " + e.getMessage(), e);
        }
    }

    /** SHA-256 of the token, hex. The token is high-entropy random, so a plain hash (no salt, no stretching) suffices. */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T run(Work<T> w) {
        try (Connection c = db.getConnection()) {
            return w.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("token store: " + e.getMessage(), e);
        }
    }
}
