package io.nightshift.coordinator.state.jdbc;

import com.hazelcast.map.MapStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A write-through {@link MapStore} over one table whose primary key is the map key. Every call is a
 * committed transaction when it returns, so Hazelcast acknowledges a map write only once it is
 * durable. Thread-safe: Hazelcast calls it from several partition threads at once, each call takes
 * its own pooled connection.
 *
 * <p>{@code storeAll}/{@code deleteAll} are one transaction each: all or nothing, so on failure the
 * map/collection passed in is left untouched (Hazelcast then knows none of it was stored).
 *
 * @param <V> the map value type
 */
final class TableStore<V> implements MapStore<String, V> {

    /** The map value ↔ row mapping of one table. */
    interface Codec<V> {
        /** Column values for {@link Table#columns()}, in order; rejects a value that does not fit its key. */
        Object[] row(String key, V value);

        /** The map value from the stored {@link Table#valueColumn()}. */
        V value(String stored);
    }

    /**
     * @param map         the IMap name, for messages
     * @param table       the table
     * @param keyColumn   its primary key column (the map key)
     * @param columns     the other columns, written by {@link Codec#row}
     * @param valueColumn the column the map value is read back from
     * @param liveKeysSql a query returning the keys to load eagerly at start
     */
    record Table(String map, String table, String keyColumn, List<Column> columns, String valueColumn, String liveKeysSql) {
    }

    record Column(String name, int sqlType) {
    }

    private final Sql sql;
    private final Table t;
    private final Codec<V> codec;
    private final String upsert;
    private final String selectOne;

    TableStore(Sql sql, Table table, Codec<V> codec) {
        this.sql = sql;
        this.t = table;
        this.codec = codec;
        String names = table.columns().stream().map(Column::name).collect(Collectors.joining(", "));
        String updates = table.columns().stream().map(c -> c.name() + " = excluded." + c.name())
                .collect(Collectors.joining(", "));
        // Works on SQLite (>= 3.24) and PostgreSQL (>= 9.5): one statement, no read-then-write race.
        this.upsert = "INSERT INTO " + table.table() + " (" + table.keyColumn() + ", " + names + ") VALUES ("
                + Sql.markers(table.columns().size() + 1) + ") ON CONFLICT (" + table.keyColumn() + ") DO UPDATE SET "
                + updates;
        this.selectOne = "SELECT " + table.valueColumn() + " FROM " + table.table() + " WHERE " + table.keyColumn() + " = ?";
    }

    String mapName() {
        return t.map();
    }

    @Override
    public void store(String key, V value) {
        Object[] row = codec.row(key, value);
        sql.write("store " + t.map() + "[" + key + "]", c -> {
            try (PreparedStatement ps = c.prepareStatement(upsert)) {
                bindRow(ps, key, row);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void storeAll(Map<String, V> entries) {
        if (entries.isEmpty()) return;
        Map<String, Object[]> rows = rows(entries); // reject bad values before touching the database
        sql.transaction("storeAll " + t.map() + " (" + entries.size() + " entries)", c -> upsert(c, rows));
    }

    /** The rows of {@code entries}, each checked by the codec: a value that does not fit is refused here. */
    Map<String, Object[]> rows(Map<String, V> entries) {
        Map<String, Object[]> rows = new HashMap<>(entries.size() * 2);
        entries.forEach((k, v) -> rows.put(k, codec.row(k, v)));
        return rows;
    }

    /** Upserts {@code rows} (from {@link #rows}) on {@code c}, inside the caller's transaction. */
    int[] upsert(java.sql.Connection c, Map<String, Object[]> rows) throws SQLException {
        if (rows.isEmpty()) return new int[0];
        try (PreparedStatement ps = c.prepareStatement(upsert)) {
            for (Map.Entry<String, Object[]> e : rows.entrySet()) {
                bindRow(ps, e.getKey(), e.getValue());
                ps.addBatch();
            }
            return ps.executeBatch();
        }
    }

    private void bindRow(PreparedStatement ps, String key, Object[] row) throws SQLException {
        Sql.bindText(ps, 1, key);
        for (int i = 0; i < row.length; i++) Sql.bind(ps, i + 2, row[i], t.columns().get(i).sqlType());
    }

    @Override
    public void delete(String key) {
        sql.write("delete " + t.map() + "[" + key + "]", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.table() + " WHERE " + t.keyColumn() + " = ?")) {
                ps.setString(1, key);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void deleteAll(Collection<String> keys) {
        if (keys.isEmpty()) return;
        sql.transaction("deleteAll " + t.map() + " (" + keys.size() + " keys)", c -> {
            int n = 0;
            for (List<String> chunk : Sql.chunks(keys)) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.table() + " WHERE " + t.keyColumn()
                        + " IN (" + Sql.markers(chunk.size()) + ")")) {
                    for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i));
                    n += ps.executeUpdate();
                }
            }
            return n;
        });
    }

    @Override
    public V load(String key) {
        String stored = sql.read("load " + t.map() + "[" + key + "]", c -> {
            try (PreparedStatement ps = c.prepareStatement(selectOne)) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
        return stored == null ? null : codec.value(stored);
    }

    @Override
    public Map<String, V> loadAll(Collection<String> keys) {
        Map<String, V> out = new HashMap<>(keys.size() * 2);
        if (keys.isEmpty()) return out;
        sql.read("loadAll " + t.map() + " (" + keys.size() + " keys)", c -> {
            for (List<String> chunk : Sql.chunks(keys)) {
                try (PreparedStatement ps = c.prepareStatement("SELECT " + t.keyColumn() + ", " + t.valueColumn()
                        + " FROM " + t.table() + " WHERE " + t.keyColumn() + " IN (" + Sql.markers(chunk.size()) + ")")) {
                    for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) out.put(rs.getString(1), codec.value(rs.getString(2)));
                    }
                }
            }
            return null;
        });
        return out;
    }

    /** The keys Hazelcast loads eagerly when the map is created on a new cluster: see {@link Table#liveKeysSql()}. */
    @Override
    public Iterable<String> loadAllKeys() {
        return sql.read("loadAllKeys " + t.map(), c -> {
            List<String> keys = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(t.liveKeysSql()); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) keys.add(rs.getString(1));
            }
            return keys;
        });
    }
}
