package crimegraph.neo4j.procedures;

import static crimegraph.neo4j.procedures.Bytes.FLOATS;
import static crimegraph.neo4j.procedures.Bytes.INTS;
import static crimegraph.neo4j.procedures.Bytes.SHORTS;
import static crimegraph.neo4j.procedures.Bytes.WORDS;

/**
 * The column encoder of a walk's flows: each column as narrow as its values allow. Node
 * positions and products as int16 when they fit (else int32); times as int32 seconds after
 * {@code timeBase} when all are whole seconds within 68 years of it (else int64
 * microseconds); quantities and amounts as float32 when every value is one exactly (else
 * float64). {@link #layout()} names the widths: e.g. {@code "i2 i2 i2 s4 f4 f8"} for source,
 * target, product, time, quantity, amount.
 *
 * <p>Use: {@link #see} every row, {@link #allocate()}, then {@link #put} every row (rows may
 * be put from two threads, on disjoint rows).
 */
final class Columns {
    private final int rows;
    private final boolean narrowNodes;
    private boolean narrowProducts = true;
    private boolean seconds = true;
    private boolean narrowQuantities = true;
    private boolean narrowAmounts = true;
    private long minTime = Long.MAX_VALUE;
    private long maxTime = Long.MIN_VALUE;
    long timeBase;
    byte[] bytes;
    private final int[] widths = new int[6];
    private final int[] starts = new int[6];

    Columns(int rows, int nodes) {
        this.rows = rows;
        this.narrowNodes = nodes <= Short.MAX_VALUE + 1;
    }

    void see(int product, long time, long quantityBits, long amountBits) {
        if (product > Short.MAX_VALUE) narrowProducts = false;
        if (time % 1_000_000L != 0) seconds = false;
        minTime = Math.min(minTime, time);
        maxTime = Math.max(maxTime, time);
        if (narrowQuantities && !exactFloat(quantityBits)) narrowQuantities = false;
        if (narrowAmounts && !exactFloat(amountBits)) narrowAmounts = false;
    }

    void allocate() {
        if (rows == 0) seconds = false;
        if (seconds && (maxTime - minTime) / 1_000_000L > Integer.MAX_VALUE) seconds = false;
        timeBase = seconds ? minTime : 0;
        widths[0] = widths[1] = narrowNodes ? 2 : 4;
        widths[2] = narrowProducts ? 2 : 4;
        widths[3] = seconds ? 4 : 8;
        widths[4] = narrowQuantities ? 4 : 8;
        widths[5] = narrowAmounts ? 4 : 8;
        int at = 0;
        for (int i = 0; i < 6; i++) {
            starts[i] = at;
            at = Math.addExact(at, Math.multiplyExact(widths[i], rows));
        }
        bytes = new byte[at];
    }

    void put(int row, int source, int target, int product, long time, long quantityBits,
             long amountBits) {
        putInt(0, row, source);
        putInt(1, row, target);
        putInt(2, row, product);
        if (seconds) INTS.set(bytes, starts[3] + 4 * row, (int) ((time - timeBase) / 1_000_000L));
        else WORDS.set(bytes, starts[3] + 8 * row, time);
        putFloat(4, row, quantityBits);
        putFloat(5, row, amountBits);
    }

    String layout() {
        return (narrowNodes ? "i2 i2 " : "i4 i4 ") + (narrowProducts ? "i2 " : "i4 ")
                + (seconds ? "s4 " : "i8 ") + (narrowQuantities ? "f4 " : "f8 ")
                + (narrowAmounts ? "f4" : "f8");
    }

    private void putInt(int column, int row, int value) {
        if (widths[column] == 2) SHORTS.set(bytes, starts[column] + 2 * row, (short) value);
        else INTS.set(bytes, starts[column] + 4 * row, value);
    }

    private void putFloat(int column, int row, long bits) {
        if (widths[column] == 4) {
            FLOATS.set(bytes, starts[column] + 4 * row, (float) Double.longBitsToDouble(bits));
        } else {
            WORDS.set(bytes, starts[column] + 8 * row, bits);
        }
    }

    private static boolean exactFloat(long bits) {
        double value = Double.longBitsToDouble(bits);
        return Double.isNaN(value) || (double) (float) value == value;
    }
}
