package crimegraph.neo4j.procedures;

import java.util.Arrays;

/**
 * A place's key ({@code nidx}, its position among the case's places; never -1) -&gt; a small
 * int: open addressing in one array (no boxing, one miss per lookup).
 */
final class IdMap {
    private static final long EMPTY = -1L;  // marks a free slot

    private long[] slots;  // key, value, key, value, ...
    private int size;

    IdMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(2 * expected, 64) - 1) << 1;
        slots = new long[2 * capacity];
        Arrays.fill(slots, EMPTY);
    }

    /** The value of {@code key}, or -1. */
    int get(long key) {
        int mask = slots.length / 2 - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            long found = slots[2 * i];
            if (found == key) return (int) slots[2 * i + 1];
            if (found == EMPTY) return -1;
        }
    }

    void put(long key, int value) {
        if (2 * (size + 1) > slots.length / 2) rehash();
        int mask = slots.length / 2 - 1;
        int i = mix(key) & mask;
        while (slots[2 * i] != EMPTY && slots[2 * i] != key) i = (i + 1) & mask;
        if (slots[2 * i] == EMPTY) size++;
        slots[2 * i] = key;
        slots[2 * i + 1] = value;
    }

    private void rehash() {
        long[] old = slots;
        slots = new long[2 * old.length];
        Arrays.fill(slots, EMPTY);
        size = 0;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != EMPTY) put(old[i], (int) old[i + 1]);
        }
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
