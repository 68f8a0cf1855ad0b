package crimegraph.neo4j.procedures;

/**
 * Thrown inside a walk when what it reads does not belong to the traced generation of the
 * case any more: a place gone or moved to another generation, or its lists caught while they
 * were being rewritten. The procedure then answers {@code stale} (no partial walk).
 */
final class Stale extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stale() {
        super(null, null, false, false);
    }
}
