package crimegraph.neo4j.procedures;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Little-endian views of byte arrays, and the newline-ended id lists of the packed lists. */
final class Bytes {
    static final VarHandle WORDS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle INTS =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle SHORTS =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle FLOATS =
            MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;

    private Bytes() {
    }

    /**
     * Start of each of the count newline-ended lines of text, then one past the last; throws
     * {@link Stale} unless the text holds exactly count lines.
     */
    static int[] lineStarts(byte[] text, int count) {
        int[] at = new int[count + 1];
        int line = 0;
        int i = 0;
        // Eight bytes at a time: a newline is a zero byte of word ^ NEWLINES (exact test).
        for (; i + 8 <= text.length && line < count; i += 8) {
            long x = (long) WORDS.get(text, i) ^ NEWLINES;
            long zeros = ~(((x & LOW7) + LOW7) | x | LOW7);
            while (zeros != 0 && line < count) {
                at[++line] = i + (Long.numberOfTrailingZeros(zeros) >>> 3) + 1;
                zeros &= zeros - 1;
            }
        }
        for (; i < text.length && line < count; i++) {
            if (text[i] == '\n') at[++line] = i + 1;
        }
        // The lists are written whole: a list that does not hold exactly count ids was caught
        // while its place was being rewritten or deleted.
        if (line != count || at[count] != text.length) throw new Stale();
        return at;
    }
}
