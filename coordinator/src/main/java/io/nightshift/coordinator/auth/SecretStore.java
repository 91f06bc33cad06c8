package io.nightshift.coordinator.auth;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nightshift.api.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

/**
 * Secrets in the coordinator's database ({@code ns_secrets}, migration V10), encrypted with AES-256-GCM
 * under a key kept in a file outside the database (created with mode 0600 on first use; every coordinator
 * of a cluster needs the same file). The secret's name is the associated data, so a ciphertext copied to
 * another name does not decrypt. A value leaves this class only through {@link #resolve}, which the leader
 * calls to fill a launch message. Blocking: call off the event loop.
 */
public final class SecretStore {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final TypeReference<List<String>> QUEUES = new TypeReference<>() {
    };
    private static final int IV_BYTES = 12, TAG_BITS = 128;

    private final DataSource db;
    private final SecretKeySpec key;

    public SecretStore(DataSource db, Path keyFile) {
        this.db = db;
        this.key = new SecretKeySpec(loadOrCreateKey(keyFile), "AES");
    }

    /** Values of {@code wanted} (env variable → secret name), and the names not found. */
    public record Resolved(Map<String, String> values, List<String> missing) {
    }

    /** Stores (or replaces) a secret; true when it is new. */
    public boolean put(String name, String value, List<String> queues, String by, Instant now) {
        String sealed = seal(name, value);
        return run(c -> {
            try (PreparedStatement up = c.prepareStatement(
                    "UPDATE ns_secrets SET value = ?, queues = ?, updated_at = ?, updated_by = ? WHERE name = ?")) {
                up.setString(1, sealed);
                up.setString(2, Json.write(queues));
                up.setLong(3, now.toEpochMilli());
                if (by == null) up.setNull(4, Types.VARCHAR);
                else up.setString(4, by);
                up.setString(5, name);
                if (up.executeUpdate() == 1) return false;
            }
            try (PreparedStatement in = c.prepareStatement(
                    "INSERT INTO ns_secrets (name, value, queues, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)")) {
                in.setString(1, name);
                in.setString(2, sealed);
                in.setString(3, Json.write(queues));
                in.setLong(4, now.toEpochMilli());
                if (by == null) in.setNull(5, Types.VARCHAR);
                else in.setString(5, by);
                in.executeUpdate();
                return true;
            }
        });
    }

    public List<SecretInfo> list() {
        return run(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name, queues, updated_at, updated_by FROM ns_secrets ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                List<SecretInfo> out = new ArrayList<>();
                while (rs.next()) out.add(info(rs));
                return out;
            }
        });
    }

    public Optional<SecretInfo> info(String name) {
        return run(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name, queues, updated_at, updated_by FROM ns_secrets WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(info(rs)) : Optional.<SecretInfo>empty();
                }
            }
        });
    }

    public boolean delete(String name) {
        return run(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM ns_secrets WHERE name = ?")) {
                ps.setString(1, name);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** The values for a launch: {@code wanted} maps an environment variable to a secret name. */
    public Resolved resolve(Map<String, String> wanted) {
        if (wanted.isEmpty()) return new Resolved(Map.of(), List.of());
        return run(c -> {
            Map<String, String> values = new LinkedHashMap<>();
            List<String> missing = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT value FROM ns_secrets WHERE name = ?")) {
                for (Map.Entry<String, String> e : wanted.entrySet()) {
                    ps.setString(1, e.getValue());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) values.put(e.getKey(), open(e.getValue(), rs.getString(1)));
                        else missing.add(e.getValue());
                    }
                }
            }
            return new Resolved(values, missing);
        });
    }

    private static SecretInfo info(ResultSet rs) throws SQLException {
        List<String> queues;
        try {
            queues = Json.mapper().readValue(rs.getString(2), QUEUES);
        } catch (IOException e) {
            throw new SQLException("unreadable queues column: " + e.getMessage(), e);
        }
        return new SecretInfo(rs.getString(1), queues, Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4));
    }

    private String seal(String name, String value) {
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(value.getBytes(StandardCharsets.UTF_8));
            byte[] out = Arrays.copyOf(iv, IV_BYTES + ct.length);
            System.arraycopy(ct, 0, out, IV_BYTES, ct.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt secret '" + name + "': " + e.getMessage(), e);
        }
    }

    private String open(String name, String sealed) {
        try {
            byte[] all = Base64.getDecoder().decode(sealed);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, IV_BYTES));
            c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("secret '" + name + "' does not decrypt with this coordinator's secrets key "
                    + "(every coordinator of a cluster needs the same key file)");
        }
    }

    /** 32 random bytes, base64 in {@code file}; created with mode 0600 when absent. */
    static byte[] loadOrCreateKey(Path file) {
        try {
            if (!Files.exists(file)) {
                byte[] k = new byte[32];
                RANDOM.nextBytes(k);
                Path dir = file.toAbsolutePath().getParent();
                if (dir != null) Files.createDirectories(dir);
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.deleteIfExists(tmp);
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(tmp, Base64.getEncoder().encodeToString(k) + "\n", StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            byte[] k = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
            if (k.length != 32) throw new IllegalStateException("secrets key file " + file + " must hold 32 bytes in base64, holds " + k.length);
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secrets key file " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("secrets key file " + file + " is not base64", e);
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
            throw new IllegalStateException("secret store: " + e.getMessage(), e);
        }
    }
}
