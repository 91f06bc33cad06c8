package io.nightshift.coordinator.state.jdbc;

import org.junit.jupiter.api.BeforeEach;

/** The store contract on a real PostgreSQL server (zonky's binaries from Maven Central), a fresh database per test. */
class PostgresDatabaseTest extends DatabaseContract {

    private String url;

    @BeforeEach
    void newDatabase() {
        url = TestPostgres.shared().newDatabase();
    }

    @Override
    Database openDatabase() {
        return Database.open(url, "postgres", "not-shown", null);
    }

    @Override
    String expectedDescriptionPrefix() {
        return "postgresql://localhost:";
    }
}
