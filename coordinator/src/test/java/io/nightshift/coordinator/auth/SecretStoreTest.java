package io.nightshift.coordinator.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nightshift.coordinator.state.jdbc.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets are stored encrypted under a key outside the database, listed without values, resolved for launches. */
class SecretStoreTest {
    @TempDir
    Path dir;
    Database db;
    SecretStore store;

    @BeforeEach
    void open() {
        db = Database.open(null, null, null, dir);
        store = new SecretStore(db.dataSource(), dir.resolve("keys/secrets.key"));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void theKeyFileIsCreatedOwnerOnlyAndReusedByTheNextStart() throws Exception {
        Path key = dir.resolve("keys/secrets.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        store.put("db", "hunter2", List.of("etl"), "admin", Instant.EPOCH);
        SecretStore again = new SecretStore(db.dataSource(), key);
        assertThat(again.resolve(Map.of("DB_PASSWORD", "db")).values()).containsEntry("DB_PASSWORD", "hunter2");
    }

    @Test
    void theDatabaseHoldsNoValueAndTheListingShowsNone() throws Exception {
        assertThat(store.put("db", "hunter2", List.of("etl"), "admin", Instant.EPOCH)).isTrue();
        assertThat(store.put("db", "hunter3", List.of("etl", "ml"), "bob", Instant.EPOCH.plusSeconds(1))).as("replaced").isFalse();
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList())
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain("hunter");
        }
        assertThat(store.list()).singleElement().satisfies(i -> {
            assertThat(i.name()).isEqualTo("db");
            assertThat(i.queues()).containsExactly("etl", "ml");
            assertThat(i.updatedBy()).isEqualTo("bob");
            assertThat(i.toString()).doesNotContain("hunter");
        });
        assertThat(store.resolve(Map.of("P", "db", "Q", "missing"))).satisfies(r -> {
            assertThat(r.values()).containsExactly(Map.entry("P", "hunter3"));
            assertThat(r.missing()).containsExactly("missing");
        });
        assertThat(store.delete("db")).isTrue();
        assertThat(store.delete("db")).isFalse();
        assertThat(store.info("db")).isEmpty();
    }

    @Test
    void anotherKeyOrACiphertextMovedToAnotherNameDoesNotDecrypt() throws Exception {
        store.put("a", "alpha", List.of("*"), null, Instant.EPOCH);
        store.put("b", "bravo", List.of("*"), null, Instant.EPOCH);
        SecretStore otherKey = new SecretStore(db.dataSource(), dir.resolve("other.key"));
        assertThatThrownBy(() -> otherKey.resolve(Map.of("X", "a"))).hasMessageContaining("does not decrypt")
                .hasMessageNotContaining("alpha");
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE ns_secrets SET value = (SELECT value FROM ns_secrets WHERE name = 'a') WHERE name = 'b'")) {
            ps.executeUpdate();
        }
        assertThatThrownBy(() -> store.resolve(Map.of("X", "b"))).hasMessageContaining("does not decrypt");
    }

    @Test
    void aSecretAllowsOnlyItsQueuesOrEveryQueueWithStar() {
        assertThat(new SecretInfo("s", List.of("etl"), Instant.EPOCH, null).allows("etl")).isTrue();
        assertThat(new SecretInfo("s", List.of("etl"), Instant.EPOCH, null).allows("ml")).isFalse();
        assertThat(new SecretInfo("s", List.of("*"), Instant.EPOCH, null).allows("ml")).isTrue();
    }
}
