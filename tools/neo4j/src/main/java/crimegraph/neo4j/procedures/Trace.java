package crimegraph.neo4j.procedures;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Stream;

import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.NotFoundException;
import org.neo4j.graphdb.ResourceIterator;
import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * crimegraph's server-side walk: the time-respecting walk over flows of
 * {@code crimegraph.trace_chain} (goods) and {@code crimegraph.trace_money} (money), run inside
 * Neo4j over the packed flow lists that crimegraph's Neo4j store writes on every place (data
 * layout 4: shipments in {@code out_*}/{@code in_*}, payments in {@code pay_out_*}/{@code
 * pay_in_*}).
 *
 * <p>The walk is the same label-correcting earliest-arrival search as crimegraph's in-memory
 * kernel: a node is reached at the earliest time goods or money from the start could be
 * there; a flow u-&gt;v at time t belongs to the walk when u is reached at or before t, t lies
 * in the window, the item (product or currency) matches and the amount is at least the
 * minimum. Upstream is the same walk on the reversed network with time running backwards (the
 * upstream lists are stored newest first). Each place's list holds two time-sorted runs: flows
 * to places that pass flows on ({@code live} of them), then flows to dead ends, which are never
 * read: their ids come with the list.
 *
 * <p>Returns one row: which of the {@code lookup} ids (the starts and the products asked
 * for) are entities of the case ({@code found}) and their case sections ({@code sections});
 * the chain's nodes (ids in UTF-8, newline-ended; the starts first) and their hop distance
 * from the start (int32 each); the chain's shipments in the case's time order, as
 * little-endian columns one after the other (source and target as positions in the node
 * list, product, time, quantity, amount; their widths in {@code columns}, see
 * {@code Columns}), and their ids; whether the case changed while it was read ({@code
 * stale}: then no nodes or shipments are filled in); the number of places read and the time
 * the procedure took (and spent reading places), in microseconds.
 */
public final class Trace {
    /** Data layout of the packed lists this procedure reads (crimegraph's {@code LAYOUT}). */
    public static final long LAYOUT = 4;

    private static final int RECORD = 40;
    private static final int PARALLEL = 20_000;  // chain shipments worth a second thread
    private static final Label ENTITY = Label.label("CGEntity");
    private static final Label CASE = Label.label("CGCase");

    @Context
    public Transaction tx;

    /** The procedure's single row. */
    public static final class Result {
        public long layout = LAYOUT;
        public List<String> found;
        public List<String> sections;
        public boolean stale;
        public byte[] nodes;
        public byte[] levels;
        public byte[] shipments;
        public String columns;
        public long timeBase;
        public byte[] ids;
        public long places;
        public long micros;
        public long readMicros;

        Result(boolean stale) {
            this.stale = stale;
        }
    }

    @Procedure(name = "crimegraph.trace", mode = Mode.READ)
    @Description("crimegraph (layout 4): time-respecting walk over a case's packed flow lists "
            + "(goods or money). crimegraph.trace(ck, kind, starts, upstream, items, since, "
            + "until, minAmount, lookup); kind: 'shipment' or 'payment'; lookup: ids to look up "
            + "(starts: those of them to start from); items: product or currency positions or "
            + "null; since/until: microseconds or null; minAmount: smallest amount or null")
    public Stream<Result> trace(
            @Name("ck") String ck,
            @Name("kind") String kind,
            @Name("starts") List<String> starts,
            @Name("upstream") boolean upstream,
            @Name("items") List<Long> products,
            @Name("since") Long since,
            @Name("until") Long until,
            @Name("minAmount") Double minAmount,
            @Name("lookup") List<String> lookup) {
        long began = System.nanoTime();
        // The ids asked about (the starts, the products), found among the case's entities.
        List<String> found = new ArrayList<>();
        List<String> sections = new ArrayList<>();
        List<Node> startNodes = new ArrayList<>();
        Set<String> wanted = new HashSet<>(starts);
        Result result;
        if (!"shipment".equals(kind) && !"payment".equals(kind)) {
            throw new IllegalArgumentException("kind must be 'shipment' or 'payment', not " + kind);
        }
        Walk walk = new Walk(tx, ck, kind, upstream, minAmount);
        try {
            for (String id : new LinkedHashSet<>(lookup)) {
                try (ResourceIterator<Node> nodes = tx.findNodes(ENTITY, "ck", ck, "id", id)) {
                    if (!nodes.hasNext()) continue;
                    Node node = nodes.next();
                    Object section = node.getProperty("section", null);
                    if (!(section instanceof String)) throw new Stale();
                    found.add(id);
                    sections.add((String) section);
                    if (wanted.contains(id)) startNodes.add(node);
                }
            }
            result = walk.run(startNodes, products, since, until);
            // What was read belongs to the case only while the case still publishes it.
            if (!published(ck)) result = new Result(true);
        } catch (Stale | NotFoundException e) {
            result = new Result(true);
        }
        result.found = found;
        result.sections = sections;
        result.micros = (System.nanoTime() - began) / 1000;
        result.readMicros = walk.readNanos / 1000;
        return Stream.of(result);
    }

    /**
     * Whether generation {@code ck} (the case id, '#', a unique suffix) is the one its case
     * node publishes. A reload or delete changes the case node before it removes any data.
     */
    private boolean published(String ck) {
        int cut = ck.lastIndexOf('#');
        if (cut < 0) return false;
        Node node = tx.findNode(CASE, "id", ck.substring(0, cut));
        return node != null && ck.equals(node.getProperty("ck", null))
                && "ready".equals(node.getProperty("status", null));
    }

    /** Thrown inside the walk when a node read does not belong to the traced case any more. */
    private static final class Stale extends RuntimeException {
        Stale() {
            super(null, null, false, false);
        }
    }

    /** One place read from the database: its packed list in the trace's direction. */
    private static final class Place {
        final String name;
        final byte[] blob;   // the list's records (see RECORD), read in place
        final int count;
        final int live;
        final int[] target;  // the live run's far ends as places, once the walk used them
        final byte[] ids;    // shipment ids, UTF-8, each ended by a newline
        final byte[] names;  // dead ends' ids, likewise
        int first;      // first usable shipment of the live run (used up to live)
        int firstDead;  // first usable shipment of the dead-end run (used up to count)

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

        // Record layout (little-endian): pos i32, product i32, other i64, time i64,
        // quantity f64, amount f64; read as five 64-bit words.
        long word(int k, int i) { return (long) WORDS.get(blob, RECORD * k + 8 * i); }
        int pos(int k) { return (int) word(k, 0); }
        int product(int k) { return (int) (word(k, 0) >>> 32); }
        long other(int k) { return word(k, 1); }
        long time(int k) { return word(k, 2); }
        double amount(int k) { return Double.longBitsToDouble(word(k, 4)); }
    }

    /**
     * The chain shipments' columns, each as narrow as its values allow: node positions and
     * products as int16 when they fit (else int32); times as int32 seconds after
     * {@code timeBase} when all are whole seconds within 68 years of it (else int64
     * microseconds); quantities and amounts as float32 when every value is one exactly (else
     * float64). {@link #layout()} names the widths: e.g. {@code "i2 i2 i2 s4 f4 f8"} for
     * source, target, product, time, quantity, amount.
     */
    private static final class Columns {
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

    /** Server node id -&gt; small int, open addressing in one array (no boxing, one miss). */
    private static final class IdMap {
        private long[] slots;  // key, value, key, value, ...; EMPTY marks a free slot
        private int size;
        private static final long EMPTY = -1L;  // server node ids are never negative

        IdMap(int expected) {
            int capacity = Integer.highestOneBit(Math.max(2 * expected, 64) - 1) << 1;
            slots = new long[2 * capacity];
            Arrays.fill(slots, EMPTY);
        }

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

    /** One trace: the places read so far and their arrival times. */
    private static final class Walk {
        private final Transaction tx;
        private final String ck;
        private final String side;
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
            this.minAmount = minAmount;
        }

        /** Whether flow k of p passes the item and amount filters. */
        private boolean passes(boolean[] keep, Place p, int k) {
            if (keep != null && !keeps(keep, p.product(k))) return false;
            // An unknown amount (NaN) is never enough.
            return minAmount == null || p.amount(k) >= minAmount;
        }

        Result run(List<Node> starts, List<Long> products, Long since, Long until) {
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
            for (Node start : starts) {
                int s = placeOf(start.getId(), start);
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
                    int v = placeOf(p.other(k), null);
                    p.target[k] = v;
                    if (arrival[v] > tk) {
                        arrival[v] = tk;
                        enqueue(v);
                    }
                }
                p.first = begin;
            }
            return collect(starts, keep, hi);
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
        private Result collect(List<Node> starts, boolean[] keep, long hi) {
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
            for (Node start : starts) {
                int s = placeIndex.get(start.getId());
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

            Result result = new Result(false);
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

        /** The place with this server id, read on first sight (its list in this direction). */
        private int placeOf(long nid, Node known) {
            int found = placeIndex.get(nid);
            if (found >= 0) return found;
            long began = System.nanoTime();
            Node node = known != null ? known : tx.getNodeById(nid);
            Map<String, Object> props = node.getProperties(
                    "ck", "id", side + "_blob", side + "_live", side + "_ids", side + "_names");
            if (!ck.equals(props.get("ck"))) throw new Stale();
            Object blob = props.get(side + "_blob");
            Object live = props.get(side + "_live");
            Object ids = props.get(side + "_ids");
            Object names = props.get(side + "_names");
            Place place = new Place((String) props.get("id"),
                    blob == null ? new byte[0] : (byte[]) blob,
                    live == null ? 0 : (int) ((Number) live).longValue(),
                    ids == null ? new byte[0] : (byte[]) ids,
                    names == null ? new byte[0] : (byte[]) names);
            // The lists are written whole; anything else was caught while its place was being
            // rewritten or deleted (a place reached through a live run ships on).
            if (place.live > place.count || place.blob.length % RECORD != 0
                    || (known == null && place.count == 0)) {
                throw new Stale();
            }
            readNanos += System.nanoTime() - began;
            int index = places.size();
            places.add(place);
            placeIndex.put(nid, index);
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
    }

    private static boolean keeps(boolean[] keep, int product) {
        return product < keep.length && keep[product];
    }

    private static final VarHandle WORDS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORTS =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOATS =
            MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;

    /** Start of each of the count newline-ended lines of text, then one past the last. */
    private static int[] lineStarts(byte[] text, int count) {
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

    /** A growing byte array. */
    private static final class ByteOut {
        byte[] bytes;
        int size;

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
}
