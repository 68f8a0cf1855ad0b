package crimegraph.neo4j.procedures;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
 * crimegraph's server-side walk, the procedure: the time-respecting walk over flows of
 * {@code crimegraph.trace_chain} (goods) and {@code crimegraph.trace_money} (money), run inside
 * Neo4j over the packed flow lists that crimegraph's Neo4j store writes on every place (data
 * layout 6: shipments in {@code out_*}/{@code in_*}, payments in {@code pay_out_*}/{@code
 * pay_in_*}; a flow names the place at its far end by {@code nidx}, which with the generation
 * {@code ck} is the place's key, and the list gives the element ids of its live far ends).
 *
 * <p>This class is the procedure: its arguments, the start and product lookup, the check
 * that the generation read is still the published one, and its row. The walk is {@link
 * Walk}, over {@link Place}s; {@link Columns} encodes the chain's flows and {@link IdMap}
 * maps place keys to places.
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
 * {@link Columns}), and their ids; whether the case changed while it was read ({@code
 * stale}: then no nodes or shipments are filled in); the number of places read and the time
 * the procedure took (and spent reading places), in microseconds.
 */
public final class Trace {
    /** Data layout of the packed lists this procedure reads (crimegraph's {@code LAYOUT}). */
    public static final long LAYOUT = 6;

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
    @Description("crimegraph (layout 6): time-respecting walk over a case's packed flow lists "
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
}
