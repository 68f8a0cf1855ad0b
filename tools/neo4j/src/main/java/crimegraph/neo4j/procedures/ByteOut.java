package crimegraph.neo4j.procedures;

import java.util.Arrays;

/** A growing byte array. */
final class ByteOut {
    private byte[] bytes;
    private int size;

    ByteOut(int capacity) {
        bytes = new byte[Math.max(capacity, 64)];
    }

    void append(byte b) {
        reserve(1);
        bytes[size++] = b;
    }

    void append(byte[] from) {
        append(from, 0, from.length);
    }

    void append(byte[] from, int begin, int end) {
        reserve(end - begin);
        System.arraycopy(from, begin, bytes, size, end - begin);
        size += end - begin;
    }

    byte[] toArray() {
        return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }

    private void reserve(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, size + more));
        }
    }
}
