package io.nightshift.coordinator.scheduling;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * A map from task id to what one cycle decided about the task (why it waits, its ETA), in the order the
 * tasks were first put. Built for a cycle that writes one entry for each of thousands of pending tasks:
 * keys and values sit in two arrays, found through an open-addressing table of indices over the ids'
 * cached hash codes, so an entry costs no node and no boxing ({@code HashMap} allocated a node per task
 * and re-hashed as it grew, the largest cost of a cycle with 10,000 tasks waiting).
 *
 * <p>Putting a key again replaces its value in place (its position stays). No removal. Once
 * {@link #freeze() frozen} every change throws {@link UnsupportedOperationException}: the {@link Plan}
 * keeps a frozen map as it is instead of copying it. Not thread-safe while it is being filled.
 */
final class TaskMap<V> extends AbstractMap<String, V> {

    private String[] keys;
    private Object[] values;
    /** 1 + index into keys/values, 0 for an empty slot; the length is a power of two, at least twice size. */
    private int[] slots;
    private int size;
    private boolean frozen;

    TaskMap(int expected) {
        int n = Math.max(4, expected);
        keys = new String[n];
        values = new Object[n];
        slots = new int[tableSize(n)];
    }

    private static int tableSize(int entries) {
        return Integer.highestOneBit(Math.max(4, entries) * 2 - 1) << 1;
    }

    /**
     * The home slot of hash {@code h} in a table of {@code length} slots: the top bits of {@code h} times the
     * golden ratio (Fibonacci hashing). Task ids are mostly sequential ({@code j0001234}), so their hash codes
     * come in dense runs; the low bits alone would lay them out as runs that merge into long probe chains.
     */
    private static int home(int h, int length) {
        return (h * 0x9E3779B9) >>> (32 - Integer.numberOfTrailingZeros(length));
    }

    /** The entry index of {@code key}, or {@code -(slot + 1)} of the empty slot where it would go. */
    private int find(String key) {
        int mask = slots.length - 1;
        for (int i = home(key.hashCode(), slots.length); ; i = (i + 1) & mask) {
            int s = slots[i];
            if (s == 0) return -(i + 1);
            if (keys[s - 1].equals(key)) return s - 1;
        }
    }

    @Override
    public V put(String key, V value) {
        if (frozen) throw new UnsupportedOperationException("frozen");
        int f = find(key);
        if (f >= 0) {
            @SuppressWarnings("unchecked") V old = (V) values[f];
            values[f] = value;
            return old;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        keys[size] = key;
        values[size] = value;
        slots[-f - 1] = ++size;
        if (size * 2 > slots.length) rehash();
        return null;
    }

    private void rehash() {
        slots = new int[tableSize(size * 2)];
        int mask = slots.length - 1;
        for (int e = 0; e < size; e++) {
            int i = home(keys[e].hashCode(), slots.length);
            while (slots[i] != 0) i = (i + 1) & mask;
            slots[i] = e + 1;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        if (!(key instanceof String k)) return null;
        int f = find(k);
        return f >= 0 ? (V) values[f] : null;
    }

    @Override
    public V getOrDefault(Object key, V defaultValue) {
        V v = get(key);
        return v != null ? v : defaultValue;
    }

    @Override
    public boolean containsKey(Object key) {
        return key instanceof String k && find(k) >= 0;
    }

    @Override
    public int size() {
        return size;
    }

    /** Replaces every value by {@code f}'s answer, in place; not after {@link #freeze}. */
    @Override
    @SuppressWarnings("unchecked")
    public void replaceAll(BiFunction<? super String, ? super V, ? extends V> f) {
        if (frozen) throw new UnsupportedOperationException("frozen");
        for (int e = 0; e < size; e++) values[e] = f.apply(keys[e], (V) values[e]);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<? super String, ? super V> action) {
        for (int e = 0; e < size; e++) action.accept(keys[e], (V) values[e]);
    }

    /** No more changes from now on; returns this. */
    TaskMap<V> freeze() {
        frozen = true;
        return this;
    }

    boolean frozen() {
        return frozen;
    }

    @Override
    public Set<Entry<String, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, V>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < size;
                    }

                    @Override
                    @SuppressWarnings("unchecked")
                    public Entry<String, V> next() {
                        if (next >= size) throw new NoSuchElementException();
                        int e = next++;
                        return new SimpleImmutableEntry<>(keys[e], (V) values[e]);
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }
}
