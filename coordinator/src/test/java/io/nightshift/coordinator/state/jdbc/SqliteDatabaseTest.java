package io.nightshift.coordinator.state.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded default: SQLite at {@code <dataDir>/nightshift.db}. */
class SqliteDatabaseTest extends DatabaseContract {

    @TempDir
    Path dataDir;

    @Override
    Database openDatabase() {
        return Database.open(null, null, null, dataDir.resolve("data"));
    }

    @Override
    String expectedDescriptionPrefix() {
        return "sqlite:" + dataDir.resolve("data").resolve(Database.SQLITE_FILE).toAbsolutePath();
    }

    @Test
    void everyPooledConnectionHasTheDurabilityPragmas() throws SQLException {
        Database db = open();
        assertThat(db.describe()).isEqualTo(expectedDescriptionPrefix());
        for (int i = 0; i < 3; i++) {
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                assertThat(pragma(s, "journal_mode")).isEqualTo("wal");
                assertThat(pragma(s, "synchronous")).isEqualTo("2"); // FULL
                assertThat(pragma(s, "foreign_keys")).isEqualTo("1");
                assertThat(Integer.parseInt(pragma(s, "busy_timeout"))).isEqualTo(10_000);
            }
        }
    }

    @Test
    void normalSynchronousIsAvailableAsAnOption() throws SQLException {
        try (Database db = Database.open(Database.Options.of(null, null, null, dataDir)
                .withSqliteSync(Database.Options.Sync.NORMAL));
             Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            assertThat(pragma(s, "synchronous")).isEqualTo("1");
        }
    }

    @Test
    void anExplicitSqliteUrlIsUsedAsGiven() {
        Path file = dataDir.resolve("elsewhere.db");
        try (Database db = Database.open("jdbc:sqlite:" + file, null, null, null)) {
            assertThat(db.describe()).isEqualTo("sqlite:" + file);
            assertThat(db.currentEpoch()).isZero();
        }
    }

    @Test
    void urlsItCannotServeAreRefusedWithoutShowingSecrets() {
        assertThatThrownBy(() -> Database.open("jdbc:mysql://db:3306/ns?password=hunter2", null, null, dataDir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mysql://db:3306/ns")
                .hasMessageNotContaining("hunter2");
        assertThat(Database.describeUrl("jdbc:postgresql://bob:hunter2@db.example:5432/ns?sslmode=require&password=x"))
                .isEqualTo("postgresql://db.example:5432/ns");
        assertThat(Database.Options.of("jdbc:postgresql://db/ns", "bob", "hunter2", null).toString())
                .doesNotContain("hunter2");
    }

    private static String pragma(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
