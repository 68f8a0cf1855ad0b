package crimegraph.neo4j.procedures;

import static crimegraph.neo4j.procedures.Bytes.WORDS;
import static crimegraph.neo4j.procedures.Bytes.lineStarts;
import static crimegraph.neo4j.procedures.Place.RECORD;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.NotFoundException;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;

/**
 * One walk: the label-correcting earliest-arrival search over the places' packed lists, and
 * the chain read off the settled lists ({@link #run}).
 *
 * <p>Places are read on first sight: a start by its node, a far end by the element id the
 * list leading to it gives ({@code hops}), when the node there is still the place with that
 * key in the traced generation, {@code (ck, nidx)} (a unique constraint of crimegraph's
 * schema; element ids can be reused after a delete), else by that key. A place not found by
 * its key, or with lists caught half written, makes the walk {@link Stale}.
 */
final class Walk {
    private static final int PARALLEL = 20_000;  // chain flows worth a second thread
    private static final Label ENTITY = Label.label("CGEntity");

    private final Transaction tx;
    private final String ck;
    private final String side;
    private final String[] keys;
    private final boolean upstream;
    private final Double minAmount;
    private final List<Place> places = new ArrayList<>();
    private final IdMap placeIndex = new IdMap(1024);
    private long[] arrival = new long[256];
    private boolean[] queued = new boolean[256];
    private int[] queue = new int[256];
    private int head;
    private int size;
    long readNanos;
    // The chain shipments once collected: slot[pos] is the one at that position of the
    // case's time order (-1: none); records and idText hold them in collection order.
    private int[] slot;
    private byte[] records;
    private byte[] idText;
    private int[] idEnd;

    Walk(Transaction tx, String ck, String kind, boolean upstream, Double minAmount) {
        this.tx = tx;
        this.ck = ck;
        this.upstream = upstream;
        String prefix = "payment".equals(kind) ? "pay_" : "";
        this.side = prefix + (upstream ? "in" : "out");
        this.keys = new String[] {"ck", "nidx", "id", side + "_blob", side + "_live",
            side + "_ids", side + "_names", side + "_hops"};
        this.minAmount = minAmount;
    }

    /** Whether flow k of p passes the item and amount filters. */
    private boolean passes(boolean[] keep, Place p, int k) {
        if (keep != null && !keeps(keep, p.product(k))) return false;
        // An unknown amount (NaN) is never enough.
        return minAmount == null || p.amount(k) >= minAmount;
    }

    /**
     * The walk from these start nodes (those that are no place, without {@code nidx}, have no
     * flows and are left out), over flows with these products (positions; null: all) in the
     * window since..until (microseconds; null: open).
     */
    Trace.Result run(List<Node> starts, List<Long> products, Long since, Long until) {
        // The window in the trace's time frame (negated times upstream).
        Long low = upstream ? until : since;
        Long high = upstream ? since : until;
        long lo = low == null ? Long.MIN_VALUE : (upstream ? -low : low);
        long hi = high == null ? Long.MAX_VALUE : (upstream ? -high : high);
        boolean[] keep = null;
        if (products != null) {
            int span = 1;
            for (Long p : products) span = Math.max(span, (int) (long) p + 1);
            keep = new boolean[span];
            for (Long p : products) keep[(int) (long) p] = true;
        }
        List<Integer> startPlaces = new ArrayList<>();
        for (Node start : starts) {
            Object key = start.getProperty("nidx", null);
            if (!(key instanceof Number)) continue;
            int s = placeAt(((Number) key).longValue(), start);
            startPlaces.add(s);
            arrival[s] = lo;
            enqueue(s);
        }
        while (size > 0) {
            int u = queue[head];
            head = (head + 1) % queue.length;
            size--;
            queued[u] = false;
            Place p = places.get(u);
            long au = arrival[u];
            // Only the shipments that just became usable (the runs grow towards earlier
            // times as arrivals drop); dead ends are never relaxed one by one.
            p.firstDead = firstAtOrAfter(p, p.live, p.firstDead, au);
            int stop = p.first;
            int begin = firstAtOrAfter(p, 0, stop, au);
            for (int k = begin; k < stop; k++) {
                long tk = frame(p, k);
                if (tk > hi) break;
                if (!passes(keep, p, k)) continue;
                int v = placeOf(p.other(k), p);
                p.target[k] = v;
                if (arrival[v] > tk) {
                    arrival[v] = tk;
                    enqueue(v);
                }
            }
            p.first = begin;
        }
        return collect(startPlaces, keep, hi);
    }

    private void enqueue(int v) {
        if (queued[v]) return;
        queued[v] = true;
        if (size == queue.length) {
            int[] bigger = new int[queue.length * 2];
            for (int i = 0; i < size; i++) bigger[i] = queue[(head + i) % queue.length];
            queue = bigger;
            head = 0;
        }
        queue[(head + size) % queue.length] = v;
        size++;
    }

    /** The chain read off the settled lists: nodes, tiers, shipments in case order, ids. */
    private Trace.Result collect(List<Integer> starts, boolean[] keep, long hi) {
        int n = places.size();
        int total = 0;
        long idBytes = 0;
        for (Place p : places) {
            total += p.count;
            idBytes += p.ids.length;
        }
        // One sequential pass, place by place in list order: each chain shipment's output
        // record (far end as a node position) and id go to scratch arrays; dead ends get
        // their node positions (after the places) and names as they are first met.
        int[] begins = new int[n + 1];
        int[] far = new int[total];
        int[] position = new int[total];
        byte[] records = new byte[Math.multiplyExact(total, RECORD)];
        int[] idEnd = new int[total];
        byte[] idText = new byte[(int) Math.min(idBytes, Integer.MAX_VALUE - 16)];
        int idSize = 0;
        ByteOut text = new ByteOut(16 * (n + 64));  // node ids: the places, then dead ends
        for (Place p : places) {
            text.append(p.name.getBytes(StandardCharsets.UTF_8));
            text.append((byte) '\n');
        }
        int nodes = n;
        IdMap deadIndex = new IdMap(n);
        int count = 0;
        int span = 0;
        for (int u = 0; u < n; u++) {
            Place p = places.get(u);
            begins[u] = count;
            int[] idAt = null;
            int[] nameAt = null;
            for (int run = 0; run < 2; run++) {
                int end = run == 0 ? p.live : p.count;
                for (int k = run == 0 ? p.first : p.firstDead; k < end; k++) {
                    if (frame(p, k) > hi) break;
                    if (!passes(keep, p, k)) continue;
                    int v;
                    if (run == 0) {
                        v = p.target[k];
                    } else {
                        long other = p.other(k);
                        v = deadIndex.get(other);
                        if (v < 0) v = placeIndex.get(other);  // a start can be a dead end
                        if (v < 0) {  // a dead end, named by this list
                            v = nodes++;
                            if (nameAt == null) nameAt = lineStarts(p.names, p.count - p.live);
                            text.append(p.names, nameAt[k - p.live], nameAt[k - p.live + 1]);
                            deadIndex.put(other, v);
                        }
                    }
                    int pos = p.pos(k);
                    far[count] = v;
                    position[count] = pos;
                    span = Math.max(span, pos + 1);
                    long source = upstream ? v : u;
                    long target = upstream ? u : v;
                    int o = count * RECORD;
                    WORDS.set(records, o, (source & 0xFFFFFFFFL) | (target << 32));
                    WORDS.set(records, o + 8, p.word(k, 2));
                    WORDS.set(records, o + 16, (p.word(k, 0) >>> 32) | ((long) pos << 32));
                    WORDS.set(records, o + 24, p.word(k, 3));
                    WORDS.set(records, o + 32, p.word(k, 4));
                    if (idAt == null) idAt = lineStarts(p.ids, p.count);
                    int length = idAt[k + 1] - idAt[k];  // the id with its newline
                    System.arraycopy(p.ids, idAt[k], idText, idSize, length);
                    idSize += length;
                    idEnd[count] = idSize;
                    count++;
                }
            }
        }
        begins[n] = count;

        // Tiers: hop distance from the starts over the chain shipments.
        int[] level = new int[nodes];
        Arrays.fill(level, -1);
        int[] bfs = new int[nodes];
        int tail = 0;
        for (int s : starts) {
            if (level[s] < 0) {
                level[s] = 0;
                bfs[tail++] = s;
            }
        }
        for (int at = 0; at < tail; at++) {
            int u = bfs[at];
            if (u >= n) continue;  // a dead end sends nothing on
            for (int c = begins[u]; c < begins[u + 1]; c++) {
                int v = far[c];
                if (level[v] < 0) {
                    level[v] = level[u] + 1;
                    bfs[tail++] = v;
                }
            }
        }

        // Shipments in the case's time order: their positions in its time-sorted table
        // are distinct and below span, so a scatter over the positions orders them.
        slot = new int[span];
        Arrays.fill(slot, -1);
        for (int c = 0; c < count; c++) slot[position[c]] = c;
        this.records = records;
        this.idText = idText;
        this.idEnd = idEnd;
        // Columns, one after the other, each as narrow as its values allow (see Columns).
        Columns columns = new Columns(count, nodes);
        for (int c = 0; c < count; c++) {
            int from = c * RECORD;
            columns.see((int) (long) WORDS.get(records, from + 16),
                    (long) WORDS.get(records, from + 8),
                    (long) WORDS.get(records, from + 24), (long) WORDS.get(records, from + 32));
        }
        columns.allocate();
        byte[] ids = new byte[idSize];
        int middle = span / 2;
        if (count < PARALLEL) {
            scatter(columns, ids, 0, span, 0, 0);
        } else {  // the second half on another core, from its first row and id byte
            int row = 0;
            int written = 0;
            for (int pos = 0; pos < middle; pos++) {
                int c = slot[pos];
                if (c < 0) continue;
                row++;
                written += idEnd[c] - (c == 0 ? 0 : idEnd[c - 1]);
            }
            int firstRow = row;
            int firstByte = written;
            int last = span;
            FutureTask<Void> second = new FutureTask<>(
                    () -> scatter(columns, ids, middle, last, firstRow, firstByte), null);
            Thread helper = new Thread(second, "crimegraph-trace-scatter");
            helper.start();
            scatter(columns, ids, 0, middle, 0, 0);
            try {
                second.get();  // rethrows whatever stopped the other half
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while ordering a chain", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("ordering a chain failed", e.getCause());
            }
        }
        ByteBuffer levels = ByteBuffer.allocate(4 * nodes).order(ByteOrder.LITTLE_ENDIAN);
        levels.asIntBuffer().put(level);

        Trace.Result result = new Trace.Result(false);
        result.nodes = text.toArray();
        result.levels = levels.array();
        result.shipments = columns.bytes;
        result.columns = columns.layout();
        result.timeBase = columns.timeBase;
        result.ids = ids;
        result.places = n;
        return result;
    }

    /** Write the chain shipments at positions begin..end of the case's time order. */
    private void scatter(Columns columns, byte[] ids, int begin, int end, int row,
                         int written) {
        int[] slot = this.slot;
        byte[] records = this.records;
        byte[] idText = this.idText;
        int[] idEnd = this.idEnd;
        for (int pos = begin; pos < end; pos++) {
            int c = slot[pos];
            if (c < 0) continue;
            int from = c * RECORD;
            long ends = (long) WORDS.get(records, from);
            columns.put(row, (int) ends, (int) (ends >>> 32),
                    (int) (long) WORDS.get(records, from + 16),
                    (long) WORDS.get(records, from + 8),
                    (long) WORDS.get(records, from + 24), (long) WORDS.get(records, from + 32));
            row++;
            for (int i = c == 0 ? 0 : idEnd[c - 1]; i < idEnd[c]; i++) ids[written++] = idText[i];
        }
    }

    /**
     * The place with this {@code nidx}, a live far end of {@code from}'s list, read on first
     * sight: by the element id the list gives for it, when that still names this place of
     * the traced generation, else by its key.
     */
    private int placeOf(long nidx, Place from) {
        int found = placeIndex.get(nidx);
        if (found >= 0) return found;
        long began = System.nanoTime();
        String hop = from.hop(nidx);
        if (hop != null) {
            Node node;
            try {
                node = tx.getNodeByElementId(hop);
            } catch (NotFoundException | IllegalArgumentException e) {
                node = null;  // deleted since the list was written (or not an element id)
            }
            // An element id can name another node after a delete: the jump counts only when
            // it lands on this key.
            Map<String, Object> props = node == null ? null : node.getProperties(keys);
            Object key = props == null ? null : props.get("nidx");
            if (key instanceof Number number && number.longValue() == nidx
                    && ck.equals(props.get("ck"))) {
                return add(nidx, props, false, began);
            }
        }
        return placeAt(nidx, null);
    }

    /**
     * The place with this {@code nidx}, read on first sight by its key; {@code known}: its
     * node, when the caller has it (a start).
     */
    private int placeAt(long nidx, Node known) {
        int found = placeIndex.get(nidx);
        if (found >= 0) return found;
        long began = System.nanoTime();
        Node node = known;
        if (node == null) {
            try (ResourceIterator<Node> nodes = tx.findNodes(ENTITY, "ck", ck, "nidx", nidx)) {
                if (!nodes.hasNext()) throw new Stale();  // gone, or of another generation
                node = nodes.next();
            }
        }
        Map<String, Object> props = node.getProperties(keys);
        if (!ck.equals(props.get("ck"))) throw new Stale();
        return add(nidx, props, known != null, began);
    }

    /** A place read (its properties {@link #keys}): added to the walk, its index returned. */
    private int add(long nidx, Map<String, Object> props, boolean start, long began) {
        Object blob = props.get(side + "_blob");
        Object live = props.get(side + "_live");
        Object ids = props.get(side + "_ids");
        Object names = props.get(side + "_names");
        Object hops = props.get(side + "_hops");
        Place place = new Place((String) props.get("id"),
                blob == null ? new byte[0] : (byte[]) blob,
                live == null ? 0 : (int) ((Number) live).longValue(),
                ids == null ? new byte[0] : (byte[]) ids,
                names == null ? new byte[0] : (byte[]) names,
                hops == null ? new byte[0] : (byte[]) hops);
        // The lists are written whole; anything else was caught while its place was being
        // rewritten or deleted (a place reached through a live run ships on).
        if (place.live > place.count || place.blob.length % RECORD != 0
                || (!start && place.count == 0)) {
            throw new Stale();
        }
        readNanos += System.nanoTime() - began;
        int index = places.size();
        places.add(place);
        placeIndex.put(nidx, index);
        if (arrival.length <= index) {
            arrival = Arrays.copyOf(arrival, 2 * index);
            queued = Arrays.copyOf(queued, 2 * index);
        }
        arrival[index] = Long.MAX_VALUE;
        return index;
    }

    private long frame(Place p, int k) {
        long t = p.time(k);
        return upstream ? -t : t;
    }

    /** First k in begin..end (sorted by frame time) with a frame time of at least value. */
    private int firstAtOrAfter(Place p, int begin, int end, long value) {
        if (begin >= end || frame(p, begin) >= value) return begin;
        while (begin < end) {
            int middle = (begin + end) >>> 1;
            if (frame(p, middle) < value) begin = middle + 1;
            else end = middle;
        }
        return begin;
    }

    private static boolean keeps(boolean[] keep, int product) {
        return product < keep.length && keep[product];
    }
}
