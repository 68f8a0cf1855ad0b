package crimegraph.neo4j.procedures;

import static crimegraph.neo4j.procedures.Bytes.WORDS;

/**
 * One place read from the database: its packed list in the walk's direction, read in place.
 *
 * <p>Record layout ({@link #RECORD} bytes, little-endian): pos i32, product i32, other i64
 * (the far end's {@code nidx}), time i64, quantity f64, amount f64; read as five 64-bit words.
 * The list holds two time-sorted runs: flows to places that pass flows on ({@code live} of
 * them), then flows to dead ends, whose ids come with the list ({@code names}).
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
    int first;      // first usable flow of the live run (used up to live)
    int firstDead;  // first usable flow of the dead-end run (used up to count)

    Place(String name, byte[] blob, int live, byte[] ids, byte[] names) {
        this.name = name;
        this.blob = blob;
        this.count = blob.length / RECORD;
        this.live = live;
        this.target = new int[live];
        this.ids = ids;
        this.names = names;
        this.first = live;
        this.firstDead = count;
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
