package io.nightshift.coordinator.state.jdbc;

import java.sql.SQLException;
import java.sql.SQLTransientException;

/**
 * A database call failed. {@link #isTransient()} says whether the same call may succeed if retried
 * (lost connection, pool exhausted, lock wait timed out, serialization failure) or will fail again
 * (constraint violation, bad SQL, corrupt row). Hazelcast passes it to whoever wrote the map entry,
 * so an API call that could not be made durable fails instead of being acknowledged.
 */
public final class DatabaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean transientFailure;

    public DatabaseException(String message, Throwable cause, boolean transientFailure) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /** Wraps {@code e}, naming what was being done (e.g. "store nightshift.jobs[j1]"). */
    static DatabaseException of(String what, SQLException e) {
        return new DatabaseException(what + " failed: " + e.getMessage(), e, isTransient(e));
    }

    public boolean isTransient() {
        return transientFailure;
    }

    /**
     * SQLState class 08 (connection), 40 (serialization failure, deadlock), 53 (insufficient
     * resources), 57P01-03 (server shutting down), the driver's own transient types, and SQLite's
     * SQLITE_BUSY (5) / SQLITE_LOCKED (6) after busy_timeout ran out.
     */
    static boolean isTransient(SQLException e) {
        if (e instanceof SQLTransientException) return true;
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
                || state.startsWith("57P"))) return true;
        int sqliteCode = e.getErrorCode() & 0xff; // extended result codes carry the primary code in the low byte
        return isSqlite(e) && (sqliteCode == 5 || sqliteCode == 6);
    }

    private static boolean isSqlite(SQLException e) {
        return e.getClass().getName().startsWith("org.sqlite.");
    }
}
