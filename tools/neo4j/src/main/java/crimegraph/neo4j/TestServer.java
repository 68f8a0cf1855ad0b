package crimegraph.neo4j;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs a real Neo4j Community 5.26 DBMS in-process with a Bolt connector on
 * 127.0.0.1:&lt;port&gt;, for crimegraph's tests and notebooks.
 *
 * <p>Usage: {@code java -cp target/classes:target/lib/* crimegraph.neo4j.TestServer <homeDir> <port>}
 *
 * <p>Auth is disabled, Bolt is plain text, HTTP/HTTPS are off, and only the
 * loopback interface is bound. When the database answers {@code RETURN 1} the
 * process prints exactly one line {@code CRIMEGRAPH_NEO4J_READY bolt://127.0.0.1:<port>}
 * to stdout and then blocks until it is killed (SIGTERM runs a shutdown hook
 * that shuts the DBMS down cleanly). Standard input is ignored.
 *
 * <p>Optional environment variables:
 * <ul>
 *   <li>{@code CRIMEGRAPH_NEO4J_PAGECACHE_MB} - page cache size in MiB (default 256)</li>
 *   <li>{@code CRIMEGRAPH_NEO4J_PLUGINS} - Neo4j's plugin directory (the Python launcher points it
 *       at {@code target/plugins}, which holds crimegraph's procedures); unset: no plugins</li>
 *   <li>{@code CRIMEGRAPH_NEO4J_DEBUG_LOG=1} - keep Neo4j's debug.log under {@code <homeDir>/logs}</li>
 *   <li>{@code CRIMEGRAPH_NEO4J_PARENT_PID} - if set, exit (cleanly) once that process is gone, so a
 *       crashed or SIGKILLed test runner does not leave an orphan server (or its home dir) behind</li>
 * </ul>
 */
public final class TestServer {
    public static final String READY_MARKER = "CRIMEGRAPH_NEO4J_READY";

    private TestServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: TestServer <homeDir> <port>");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port;
        try {
            port = Integer.parseInt(args[1]);
        } catch (NumberFormatException e) {
            System.err.println("invalid port: " + args[1]);
            System.exit(2);
            return;
        }
        if (port <= 0 || port > 65535) {
            System.err.println("port must be in 1..65535, got " + port);
            System.exit(2);
        }

        long pageCacheMb = envLong("CRIMEGRAPH_NEO4J_PAGECACHE_MB", 256L);
        boolean debugLog = "1".equals(System.getenv("CRIMEGRAPH_NEO4J_DEBUG_LOG"));
        // Neo4j's user log (startup/shutdown messages, warnings) goes to stderr at WARN.
        PrintStream stderr = System.err;
        Log4jLogProvider userLog = new Log4jLogProvider(stderr, Level.WARN);

        long t0 = System.nanoTime();
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
        String plugins = System.getenv("CRIMEGRAPH_NEO4J_PLUGINS");
        if (plugins != null && !plugins.isBlank()) {
            builder.setConfig(GraphDatabaseSettings.plugin_dir, Path.of(plugins).toAbsolutePath());
        }
        DatabaseManagementService dbms = builder
                .setUserLogProvider(userLog)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .setConfig(GraphDatabaseSettings.debug_log_enabled, debugLog)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // A throwaway server needs no transaction log history: without this, repeated
                // loads grow the logs by gigabytes until the next checkpoints prune them.
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "keep_none")
                .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(5))
                // Netty's graceful shutdown defaults to a 5 s quiet period per event-loop group
                // (boss + worker), which makes every SIGTERM take ~10 s. Tests don't need that.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean shutDown = new AtomicBoolean(false);
        AtomicBoolean orphaned = new AtomicBoolean(false);
        Thread hook = new Thread(() -> {
            if (shutDown.compareAndSet(false, true)) {
                try {
                    dbms.shutdown();
                } catch (Throwable t) {
                    t.printStackTrace(stderr);
                } finally {
                    userLog.close();
                    if (orphaned.get()) {
                        deleteRecursively(home); // nobody is left to clean up the temp home
                    }
                    stopped.countDown();
                }
            }
        }, "crimegraph-neo4j-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        startParentWatchdog(stderr, orphaned);

        try {
            GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            db.executeTransactionally("RETURN 1");
        } catch (Throwable t) {
            stderr.println("crimegraph TestServer: database did not come up");
            t.printStackTrace(stderr);
            System.exit(1);
        }

        long ms = (System.nanoTime() - t0) / 1_000_000L;
        stderr.println("crimegraph TestServer: Neo4j up in " + ms + " ms, home=" + home);
        System.out.println(READY_MARKER + " bolt://127.0.0.1:" + port);
        System.out.flush();

        // Block until the shutdown hook has run (SIGTERM / SIGINT). stdin is deliberately ignored.
        stopped.await();
    }

    /** Exit when the process named by CRIMEGRAPH_NEO4J_PARENT_PID disappears (orphan protection). */
    private static void startParentWatchdog(PrintStream stderr, AtomicBoolean orphaned) {
        String v = System.getenv("CRIMEGRAPH_NEO4J_PARENT_PID");
        if (v == null || v.isBlank()) {
            return;
        }
        final long parentPid;
        try {
            parentPid = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            stderr.println("ignoring invalid CRIMEGRAPH_NEO4J_PARENT_PID=" + v);
            return;
        }
        Thread watchdog = new Thread(() -> {
            while (true) {
                boolean alive = ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false);
                if (!alive) {
                    stderr.println("crimegraph TestServer: parent process " + parentPid + " is gone, shutting down");
                    orphaned.set(true);
                    System.exit(0);
                    return;
                }
                try {
                    Thread.sleep(1000L);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "crimegraph-neo4j-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static void deleteRecursively(Path root) {
        try (java.util.stream.Stream<Path> paths = java.nio.file.Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    java.nio.file.Files.deleteIfExists(p);
                } catch (java.io.IOException ignored) {
                    // best effort
                }
            });
        } catch (java.io.IOException | RuntimeException ignored) {
            // best effort
        }
    }

    private static long envLong(String name, long dflt) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            System.err.println("ignoring invalid " + name + "=" + v);
            return dflt;
        }
    }
}
