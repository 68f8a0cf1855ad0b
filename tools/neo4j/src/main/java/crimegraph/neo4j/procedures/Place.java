package crimegraph.neo4j.procedures;

import static crimegraph.neo4j.procedures.Bytes.WORDS;

import java.nio.charset.StandardCharsets;

/**
 * One place read from the database: its packed list in the walk's direction, read in place.
 *
 * <p>Record layout ({@link #RECORD} bytes, little-endian): pos i32, product i32, other i64
 * (the far end's {@code nidx}), time i64, quantity f64, amount f64; read as five 64-bit words.
 * The list holds two time-sorted runs: flows to places that pass flows on ({@code live} of
 * them), then flows to dead ends, whose ids come with the list ({@code names}). {@code
 * hops} holds the element ids of the live run's far ends, each once, in the order they first
 * occur in the run ({@link #hop}).
 */
final class Place {
    static final int RECORD = 40;

    final String name;
    final byte[] blob;
    final int count;
    final int live;
    final int[] target;  // the live run's far ends as places, once the walk used them
    final byte[] ids;    // flow ids, UTF-8, each ended by a newline
    final byte[] names;  // dead ends' ids, likewise
    final byte[] hops;   // live far ends' element ids, likewise
    private IdMap hopIndex;  // far end's nidx -> its line in hops, built on first use
    private int[] hopAt;
    int first;      // first usable flow of the live run (used up to live)
    int firstDead;  // first usable flow of the dead-end run (used up to count)

    Place(String name, byte[] blob, int live, byte[] ids, byte[] names, byte[] hops) {
        this.name = name;
        this.blob = blob;
        this.count = blob.length / RECORD;
        this.live = live;
        this.target = new int[live];
        this.ids = ids;
        this.names = names;
        this.hops = hops;
        this.first = live;
        this.firstDead = count;
    }

    /**
     * The element id this list gives for the live far end {@code nidx}, or null when the list
     * has none (throws {@link Stale} when the list does not hold one per far end).
     */
    String hop(long nidx) {
        if (hops.length == 0) return null;
        if (hopIndex == null) {
            IdMap index = new IdMap(16);
            int distinct = 0;
            for (int k = 0; k < live; k++) {
                long other = other(k);
                if (index.get(other) < 0) index.put(other, distinct++);
            }
            hopAt = Bytes.lineStarts(hops, distinct);
            hopIndex = index;
        }
        int line = hopIndex.get(nidx);
        if (line < 0) return null;
        return new String(hops, hopAt[line], hopAt[line + 1] - hopAt[line] - 1,
                StandardCharsets.UTF_8);
    }

    long word(int k, int i) {
        return (long) WORDS.get(blob, RECORD * k + 8 * i);
    }

    int pos(int k) {
        return (int) word(k, 0);
    }

    int product(int k) {
        return (int) (word(k, 0) >>> 32);
    }

    long other(int k) {
        return word(k, 1);
    }

    long time(int k) {
        return word(k, 2);
    }

    double amount(int k) {
        return Double.longBitsToDouble(word(k, 4));
    }
}
