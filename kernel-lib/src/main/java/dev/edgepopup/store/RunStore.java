package dev.edgepopup.store;

import dev.edgepopup.io.Json;
import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.nn.Precision;
import dev.edgepopup.train.EpochRecord;
import dev.edgepopup.train.Recipe;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps every run of every sweep: configuration (network spec and recipe as JSON, seeds, data set
 * names and sizes), status, each finished epoch, final metrics, the compact subnetwork of
 * edge-popup runs, timing and timestamps. A run's row is found by {@link RunConfig#key()}, so the
 * same configuration always maps to the same row.
 *
 * <p><b>Database.</b> By default an SQLite file, {@code runs/runs.db} beside the notebooks ({@link
 * #open(Path)}); the JDBC URL is {@code jdbc:sqlite:/absolute/path/runs.db}. For SQLite the store
 * sets: WAL journal ({@code PRAGMA journal_mode=WAL}: readers never block the writer), {@code
 * PRAGMA synchronous=FULL} (a commit survives power loss), {@code PRAGMA foreign_keys=ON}, a busy
 * timeout of {@value #BUSY_TIMEOUT_MS} ms and immediate write transactions (the driver's {@code
 * busy_timeout} and {@code transaction_mode} settings). Together these let several kernels, i.e.
 * several JVMs on one machine, write to one file at once: a writer waits for the lock instead of
 * failing with SQLITE_BUSY. WAL needs memory shared between the processes, so the file must be on a
 * local disk, never on a network file system (NFS, Lustre, GPFS) that several machines share.
 *
 * <p>For many machines at once, the workers of a cluster, {@link #open(String)} takes a PostgreSQL
 * server, e.g. {@code jdbc:postgresql://db.example.org/edgepopup?user=me} (the driver reads the
 * password from {@code ~/.pgpass}, or {@code &password=} in the URL): every write is one
 * transaction, the schema is created under a lock, and a transaction that meets another's (a
 * serialization failure, a deadlock, two workers inserting one row) is tried again. Any other JDBC
 * URL works too, its driver on the class path: queries are plain SQL and the schema, {@code
 * dev/edgepopup/store/schema.sql} on the class path, uses standard types only.
 *
 * <p><b>Schema</b> (see schema.sql for every column):
 *
 * <pre>
 * runs       (run_key PK, net_arch, net_width, net_method, net_keep, net_init, recipe_name,
 *             recipe_epochs, weight_seed, score_seed, data_seed, train_set, train_size, test_set,
 *             test_size, spec_json, recipe_json, status, checkpoint_epoch, error_message,
 *             final_test_accuracy, kept_fraction, subnetwork BLOB, wall_seconds,
 *             images_per_second, created_at, updated_at, finished_at, library_version,
 *             compute_precision, channels_last)
 * run_epochs (run_key FK, epoch, train_loss, train_accuracy, test_accuracy, learning_rate,
 *             wall_seconds, images_per_second; PK (run_key, epoch))
 * run_tasks  (job_name, task_index, run_key FK, job_id, log_file, submitted_at;
 *             PK (job_name, task_index)): which cluster task trains which run ({@link RunTask})
 * </pre>
 *
 * <p>Columns added later come as {@code ALTER TABLE ... ADD COLUMN} statements, which the store
 * runs only when the column is missing: files made by an older library open and keep their rows.
 *
 * <p><b>Checkpoints</b> are files, not BLOBs: {@code <checkpoint dir>/<key>.ckpt}, by default
 * {@code runs/checkpoints/} beside the database file. The training loop writes them atomically
 * after every epoch, and a conv net's checkpoint (scores or weights plus optimizer state, tens of
 * megabytes) would otherwise be rewritten into the database, and its WAL, every epoch. A finished
 * run's checkpoint is deleted: its results and subnetwork are in the database. Workers on a
 * cluster's nodes need a checkpoint directory that every node reads: {@link #open(String, Path)}.
 *
 * <p><b>Durability.</b> Every write is one transaction, committed before the method returns: an
 * epoch recorded with {@link #recordEpoch} survives a SIGKILL of the JVM right after.
 *
 * <p>One instance holds one connection and is safe for use from several threads (its methods are
 * synchronized); a server connection that broke is opened again at the next call. Close it when
 * done.
 */
public final class RunStore implements AutoCloseable {
    /** Milliseconds an SQLite writer waits for another connection's write lock. */
    public static final int BUSY_TIMEOUT_MS = 60_000;

    private static final String SQLITE_PREFIX = "jdbc:sqlite:";

    /** PostgreSQL's advisory lock that schema creation holds: any fixed number ("EP"). */
    private static final long SCHEMA_LOCK = 0x4550L;

    /** Times a transaction that met another's is tried again before the error is thrown. */
    private static final int RETRIES = 8;

    private static final Pattern ADD_COLUMN =
            Pattern.compile(
                    "\\s*ALTER\\s+TABLE\\s+(\\w+)\\s+ADD\\s+COLUMN\\s+(\\w+)\\s.*",
                    Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final int MAX_MESSAGE = 4000;
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final String RUN_COLUMNS =
            "r.run_key, r.spec_json, r.recipe_json, r.data_seed, r.train_set, r.train_size,"
                + " r.test_set, r.test_size, r.status, r.checkpoint_epoch, r.final_test_accuracy,"
                + " r.kept_fraction, r.subnetwork, r.wall_seconds, r.images_per_second,"
                + " r.created_at, r.updated_at, r.finished_at, r.error_message, r.library_version,"
                + " r.compute_precision, r.channels_last, (SELECT COUNT(*) FROM run_epochs e WHERE"
                + " e.run_key = r.run_key) AS epochs_done";

    /** The databases the store knows the quirks of. */
    private enum Dialect {
        SQLITE("org.sqlite.JDBC", "BLOB"),
        POSTGRESQL("org.postgresql.Driver", "BYTEA"),
        OTHER(null, "BLOB");

        /** Loaded by name: see {@link #open(String, Path)}. */
        final String driver;

        /** How the database spells schema.sql's BLOB. */
        final String binaryType;

        Dialect(String driver, String binaryType) {
            this.driver = driver;
            this.binaryType = binaryType;
        }

        static Dialect of(String jdbcUrl) {
            return jdbcUrl.startsWith(SQLITE_PREFIX)
                    ? SQLITE
                    : jdbcUrl.startsWith("jdbc:postgresql:") ? POSTGRESQL : OTHER;
        }
    }

    private static final String TASK_COLUMNS =
            "job_name, task_index, run_key, job_id, log_file, submitted_at";

    private final String url;
    private final Properties properties;
    private final Dialect dialect;
    private final Path checkpointDir;
    private Connection connection;

    private RunStore(
            String url,
            Properties properties,
            Dialect dialect,
            Path checkpointDir,
            Connection connection) {
        this.url = url;
        this.properties = properties;
        this.dialect = dialect;
        this.checkpointDir = checkpointDir;
        this.connection = connection;
    }

    /**
     * Opens (creating if needed) an SQLite store, with checkpoints in {@code checkpoints/} beside
     * it.
     *
     * @param dbFile the database file, e.g. {@code Path.of("runs/runs.db")}; missing directories
     *     are created
     * @return the store
     * @throws StoreException if the database cannot be opened
     */
    public static RunStore open(Path dbFile) {
        Path file = dbFile.toAbsolutePath();
        return open(SQLITE_PREFIX + file, file.getParent().resolve("checkpoints"));
    }

    /**
     * Opens an SQLite file by JDBC URL, with checkpoints in {@code checkpoints/} beside it. Any
     * other database has no place of its own for them: {@link #open(String, Path)} names one.
     *
     * @param jdbcUrl e.g. {@code jdbc:sqlite:runs/runs.db}
     * @return the store
     * @throws IllegalArgumentException for an in-memory SQLite database or any other database
     * @throws StoreException if the database cannot be opened
     */
    public static RunStore open(String jdbcUrl) {
        Path file = jdbcUrl.startsWith(SQLITE_PREFIX) ? sqliteFile(jdbcUrl) : null;
        if (file == null) {
            throw new IllegalArgumentException(
                    jdbcUrl.replaceAll("password=[^&]*", "password=...")
                            + " is not an SQLite file, so checkpoints have no place beside it: name"
                            + " their directory (open(url, dir), bin/sweep --checkpoints DIR)");
        }
        return open(jdbcUrl, file.toAbsolutePath().getParent().resolve("checkpoints"));
    }

    /**
     * Opens a store by JDBC URL with checkpoints in a given directory.
     *
     * @param jdbcUrl the database
     * @param checkpointDir where run checkpoints go (created when the first is written)
     * @return the store
     * @throws StoreException if the database cannot be opened
     */
    public static RunStore open(String jdbcUrl, Path checkpointDir) {
        Dialect dialect = Dialect.of(jdbcUrl);
        Properties props = new Properties();
        try {
            if (dialect == Dialect.SQLITE) {
                Path file = sqliteFile(jdbcUrl);
                if (file != null && file.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(file.toAbsolutePath().getParent());
                }
                props.setProperty("busy_timeout", Integer.toString(BUSY_TIMEOUT_MS));
                // BEGIN IMMEDIATE: a transaction that read first and then writes cannot wait for
                // the lock in WAL mode (it fails at once with SQLITE_BUSY); taking the write
                // lock at BEGIN makes every writer wait its turn instead.
                props.setProperty("transaction_mode", "IMMEDIATE");
            } else if (dialect == Dialect.POSTGRESQL) {
                // A worker's connection idles through a whole epoch: keep-alives stop firewalls
                // from dropping it unseen.
                props.setProperty("tcpKeepAlive", "true");
                props.setProperty("ApplicationName", "edgepopup");
            }
            if (dialect.driver != null) {
                // Notebook kernels load jars into a class loader that DriverManager's own service
                // scan does not see; loading the driver class registers it from ours.
                Class.forName(dialect.driver);
            }
            Connection c = connect(jdbcUrl, props, dialect);
            RunStore store =
                    new RunStore(jdbcUrl, props, dialect, checkpointDir.toAbsolutePath(), c);
            try {
                store.createSchema();
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
            return store;
        } catch (SQLException | ClassNotFoundException e) {
            throw new StoreException("could not open the run store " + jdbcUrl, e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the directory of " + jdbcUrl, e);
        }
    }

    private static Connection connect(String jdbcUrl, Properties props, Dialect dialect)
            throws SQLException {
        Connection c = DriverManager.getConnection(jdbcUrl, props);
        if (dialect == Dialect.SQLITE) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA foreign_keys=ON");
            } catch (SQLException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }

    /** The file of an SQLite URL, or null for an in-memory database. */
    private static Path sqliteFile(String jdbcUrl) {
        String path = jdbcUrl.substring(SQLITE_PREFIX.length());
        int query = path.indexOf('?');
        if (query >= 0) {
            if (path.substring(query).contains("mode=memory")) {
                return null;
            }
            path = path.substring(0, query);
        }
        if (path.startsWith("file:")) {
            path = path.substring("file:".length());
        }
        return path.isEmpty() || path.equals(":memory:") ? null : Path.of(path);
    }

    private void createSchema() throws SQLException {
        String sql;
        try (InputStream in = RunStore.class.getResourceAsStream("schema.sql")) {
            if (in == null) {
                throw new IllegalStateException(
                        "dev/edgepopup/store/schema.sql is missing from " + "the class path");
            }
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read schema.sql", e);
        }
        StringBuilder code = new StringBuilder();
        for (String line : sql.split("\n")) {
            int comment = line.indexOf("--");
            code.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
        }
        String statements = code.toString().replaceAll("\\bBLOB\\b", dialect.binaryType);
        write(
                "create the schema",
                c -> {
                    try (Statement s = c.createStatement()) {
                        if (dialect == Dialect.POSTGRESQL) {
                            // Workers starting together would race to create the same tables (which
                            // PostgreSQL answers with a duplicate-key error); they take turns
                            // instead.
                            s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
                        }
                        for (String statement : statements.split(";")) {
                            if (!statement.isBlank() && !addsAnExistingColumn(c, statement)) {
                                s.execute(statement);
                            }
                        }
                    }
                    return null;
                });
    }

    /** Whether {@code statement} adds a column that the table already has. */
    private static boolean addsAnExistingColumn(Connection c, String statement)
            throws SQLException {
        Matcher m = ADD_COLUMN.matcher(statement);
        if (!m.matches()) {
            return false;
        }
        // Unquoted names: SQLite keeps their case, PostgreSQL folds them to lower case. The
        // current schema only: a server database may hold other stores' tables in others.
        for (String table : new String[] {m.group(1), m.group(1).toLowerCase(Locale.ROOT)}) {
            try (ResultSet rs = c.getMetaData().getColumns(null, c.getSchema(), table, null)) {
                while (rs.next()) {
                    if (rs.getString("COLUMN_NAME").equalsIgnoreCase(m.group(2))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * @return the JDBC URL this store was opened with
     */
    public String url() {
        return url;
    }

    /**
     * @return the directory holding the runs' checkpoint files
     */
    public Path checkpointDir() {
        return checkpointDir;
    }

    /**
     * The checkpoint file of a run (it exists only while the run is unfinished and has completed at
     * least one epoch).
     *
     * @param key the run's key
     * @return {@code <checkpoint dir>/<key>.ckpt}
     */
    public Path checkpointFile(String key) {
        return checkpointDir.resolve(key + ".ckpt");
    }

    /**
     * Marks a run as running, inserting its row if it is new; an existing row keeps its epochs and
     * creation time and loses any earlier results or error.
     *
     * @param config the run's configuration
     * @return the run's key
     */
    public synchronized String start(RunConfig config) {
        return setStatusOrInsert(config, RunStatus.RUNNING);
    }

    /**
     * Marks a run as pending: queued on a cluster, where a worker will {@link #start} it. Inserts
     * its row if it is new (the worker reads its configuration from it); an existing row keeps its
     * epochs, checkpoint and creation time and loses any earlier results or error.
     *
     * @param config the run's configuration
     * @return the run's key
     */
    public synchronized String queue(RunConfig config) {
        return setStatusOrInsert(config, RunStatus.PENDING);
    }

    private String setStatusOrInsert(RunConfig config, RunStatus status) {
        String key = config.key();
        String now = now();
        write(
                status.columnValue() + " run " + key,
                c -> {
                    int updated;
                    try (PreparedStatement p =
                            c.prepareStatement(
                                    "UPDATE runs SET status = ?, error_message = NULL,"
                                            + " final_test_accuracy = NULL, kept_fraction = NULL,"
                                            + " subnetwork = NULL, wall_seconds = NULL,"
                                            + " images_per_second = NULL, finished_at = NULL,"
                                            + " updated_at = ? WHERE run_key = ?")) {
                        p.setString(1, status.columnValue());
                        p.setString(2, now);
                        p.setString(3, key);
                        updated = p.executeUpdate();
                    }
                    if (updated == 0) {
                        insert(c, key, config, now, status);
                    }
                    return null;
                });
        return key;
    }

    private static void insert(
            Connection c, String key, RunConfig config, String now, RunStatus status)
            throws SQLException {
        NetSpec s = config.spec();
        Recipe r = config.recipe();
        try (PreparedStatement p =
                c.prepareStatement(
                        "INSERT INTO runs (run_key, net_arch, net_width, net_method, net_keep,"
                            + " net_init, recipe_name, recipe_epochs, weight_seed, score_seed,"
                            + " data_seed, train_set, train_size, test_set, test_size, spec_json,"
                            + " recipe_json, status, checkpoint_epoch, created_at, updated_at,"
                            + " library_version, compute_precision, channels_last) VALUES (?, ?, ?,"
                            + " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)")) {
            int i = 1;
            p.setString(i++, key);
            p.setString(i++, s.arch());
            p.setDouble(i++, s.width());
            p.setString(i++, s.method().name());
            p.setDouble(i++, s.keep());
            p.setString(i++, s.init().name());
            p.setString(i++, r.name());
            p.setInt(i++, r.epochs());
            p.setLong(i++, s.weightSeed());
            p.setLong(i++, s.scoreSeed());
            p.setLong(i++, config.dataSeed());
            p.setString(i++, config.trainSet());
            p.setInt(i++, config.trainSize());
            p.setString(i++, config.testSet());
            p.setInt(i++, config.testSize());
            p.setString(i++, Json.GSON.toJson(s));
            p.setString(i++, Json.GSON.toJson(r));
            p.setString(i++, status.columnValue());
            p.setString(i++, now);
            p.setString(i++, now);
            p.setString(i++, config.library());
            p.setString(i++, config.precision().label());
            p.setInt(i, config.channelsLast() ? 1 : 0);
            p.executeUpdate();
        }
    }

    /**
     * Says which checkpoint a (re)started run's training continues from, and drops stored epochs
     * after it: those are trained again (a run that was killed after recording an epoch but before
     * the training loop wrote that epoch's checkpoint, or whose checkpoint was lost).
     *
     * @param key the run's key
     * @param epoch the epochs the checkpoint holds (0: training starts from scratch)
     */
    public synchronized void resumedAt(String key, int epoch) {
        write(
                "set the checkpoint epoch of run " + key,
                c -> {
                    try (PreparedStatement p =
                            c.prepareStatement(
                                    "DELETE FROM run_epochs WHERE run_key = ? AND epoch > ?")) {
                        p.setString(1, key);
                        p.setInt(2, epoch);
                        p.executeUpdate();
                    }
                    setCheckpointEpoch(c, key, epoch);
                    return null;
                });
    }

    /**
     * Records that a run's checkpoint file now holds a given number of epochs.
     *
     * @param key the run's key
     * @param epoch the last epoch in the checkpoint
     */
    public synchronized void recordCheckpoint(String key, int epoch) {
        write(
                "record the checkpoint of run " + key,
                c -> {
                    setCheckpointEpoch(c, key, epoch);
                    return null;
                });
    }

    private static void setCheckpointEpoch(Connection c, String key, int epoch)
            throws SQLException {
        try (PreparedStatement p =
                c.prepareStatement(
                        "UPDATE runs SET checkpoint_epoch = ?, updated_at = ? WHERE run_key = ?")) {
            p.setInt(1, epoch);
            p.setString(2, now());
            p.setString(3, key);
            requireRow(p.executeUpdate(), key);
        }
    }

    /**
     * Stores a finished epoch (replacing an earlier row of the same epoch), committed before
     * returning.
     *
     * @param key the run's key
     * @param r the epoch; must be complete
     */
    public synchronized void recordEpoch(String key, EpochRecord r) {
        if (!r.complete()) {
            throw new IllegalArgumentException(
                    "epoch " + r.epoch() + " was cut short; only " + "finished epochs are stored");
        }
        write(
                "record epoch " + r.epoch() + " of run " + key,
                c -> {
                    try (PreparedStatement p =
                            c.prepareStatement(
                                    "DELETE FROM run_epochs WHERE run_key = ? AND epoch = ?")) {
                        p.setString(1, key);
                        p.setInt(2, r.epoch());
                        p.executeUpdate();
                    }
                    try (PreparedStatement p =
                            c.prepareStatement(
                                    "INSERT INTO run_epochs (run_key, epoch, train_loss,"
                                        + " train_accuracy, test_accuracy, learning_rate,"
                                        + " wall_seconds, images_per_second) VALUES (?, ?, ?, ?, ?,"
                                        + " ?, ?, ?)")) {
                        p.setString(1, key);
                        p.setInt(2, r.epoch());
                        p.setDouble(3, r.trainLoss());
                        p.setDouble(4, r.trainAccuracy());
                        p.setDouble(5, r.testAccuracy());
                        p.setDouble(6, r.lr());
                        p.setDouble(7, r.seconds());
                        p.setDouble(8, r.imagesPerSecond());
                        p.executeUpdate();
                    }
                    try (PreparedStatement p =
                            c.prepareStatement(
                                    "UPDATE runs SET updated_at = ? WHERE run_key = ?")) {
                        p.setString(1, now());
                        p.setString(2, key);
                        requireRow(p.executeUpdate(), key);
                    }
                    return null;
                });
    }

    /**
     * Stores a finished run's results and marks it finished.
     *
     * @param key the run's key
     * @param finalTestAccuracy test accuracy after the last epoch
     * @param keptFraction weights in use over all weights
     * @param subnetwork the compact subnetwork file's bytes, or null
     * @param wallSeconds the epochs' seconds, summed
     * @param imagesPerSecond training images per second
     */
    public synchronized void finish(
            String key,
            double finalTestAccuracy,
            double keptFraction,
            byte[] subnetwork,
            double wallSeconds,
            double imagesPerSecond) {
        String now = now();
        write(
                "finish run " + key,
                c -> {
                    try (PreparedStatement p =
                            c.prepareStatement(
                                    "UPDATE runs SET status = ?, final_test_accuracy = ?,"
                                        + " kept_fraction = ?, subnetwork = ?, wall_seconds = ?,"
                                        + " images_per_second = ?, error_message = NULL,"
                                        + " finished_at = ?, updated_at = ? WHERE run_key = ?")) {
                        p.setString(1, RunStatus.FINISHED.columnValue());
                        setDouble(p, 2, finalTestAccuracy);
                        setDouble(p, 3, keptFraction);
                        if (subnetwork == null) {
                            p.setNull(4, Types.VARBINARY); // BLOB would mean a large object to
                            // PostgreSQL
                        } else {
                            p.setBytes(4, subnetwork);
                        }
                        setDouble(p, 5, wallSeconds);
                        setDouble(p, 6, imagesPerSecond);
                        p.setString(7, now);
                        p.setString(8, now);
                        p.setString(9, key);
                        requireRow(p.executeUpdate(), key);
                    }
                    return null;
                });
    }

    /**
     * Marks a run stopped by an interrupt (it stays resumable from its checkpoint).
     *
     * @param key the run's key
     */
    public void markInterrupted(String key) {
        setStatus(key, RunStatus.INTERRUPTED, null);
    }

    /**
     * Marks a run failed.
     *
     * @param key the run's key
     * @param message why (cut to 4000 characters)
     */
    public void markFailed(String key, String message) {
        String m = String.valueOf(message);
        setStatus(
                key, RunStatus.FAILED, m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) : m);
    }

    private synchronized void setStatus(String key, RunStatus status, String message) {
        write(
                "mark run " + key + " " + status.columnValue(),
                c -> {
                    try (PreparedStatement p =
                            c.prepareStatement(
                                    "UPDATE runs SET status = ?, error_message = ?, updated_at = ?"
                                            + " WHERE run_key = ?")) {
                        p.setString(1, status.columnValue());
                        p.setString(2, message);
                        p.setString(3, now());
                        p.setString(4, key);
                        requireRow(p.executeUpdate(), key);
                    }
                    return null;
                });
    }

    /**
     * Deletes a run: its row, its epochs, its cluster tasks and its checkpoint file. The next sweep
     * that plans it trains it from scratch.
     *
     * @param key the run's key
     * @return true if the run was stored
     */
    public synchronized boolean forget(String key) {
        boolean existed =
                write(
                        "forget run " + key,
                        c -> {
                            for (String table : List.of("run_epochs", "run_tasks")) {
                                try (PreparedStatement p =
                                        c.prepareStatement(
                                                "DELETE FROM " + table + " WHERE run_key = ?")) {
                                    p.setString(1, key);
                                    p.executeUpdate();
                                }
                            }
                            try (PreparedStatement p =
                                    c.prepareStatement("DELETE FROM runs WHERE run_key = ?")) {
                                p.setString(1, key);
                                return p.executeUpdate() > 0;
                            }
                        });
        try {
            Files.deleteIfExists(checkpointFile(key));
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + checkpointFile(key), e);
        }
        return existed;
    }

    /**
     * @param key a run's key
     * @return the stored run, if any
     */
    public synchronized Optional<RunRecord> find(String key) {
        List<RunRecord> found =
                read(
                        "find run " + key,
                        c -> {
                            try (PreparedStatement p =
                                    c.prepareStatement(
                                            "SELECT "
                                                    + RUN_COLUMNS
                                                    + " FROM runs r WHERE r.run_key = ?")) {
                                p.setString(1, key);
                                return records(p);
                            }
                        });
        return found.stream().findFirst();
    }

    /**
     * @return every stored run, oldest first
     */
    public synchronized List<RunRecord> runs() {
        return read(
                "list runs",
                c -> {
                    try (PreparedStatement p =
                            c.prepareStatement(
                                    "SELECT "
                                            + RUN_COLUMNS
                                            + " FROM runs r ORDER BY r.created_at, r.run_key")) {
                        return records(p);
                    }
                });
    }

    /**
     * @param key a run's key
     * @return its finished epochs, first to last (empty for an unknown run)
     */
    public synchronized List<EpochRecord> epochs(String key) {
        return read(
                "read the epochs of run " + key,
                c -> {
                    try (PreparedStatement p =
                            c.prepareStatement(
                                    "SELECT epoch, train_loss, train_accuracy, test_accuracy,"
                                            + " learning_rate, wall_seconds, images_per_second FROM"
                                            + " run_epochs WHERE run_key = ? ORDER BY epoch")) {
                        p.setString(1, key);
                        List<EpochRecord> out = new ArrayList<>();
                        try (ResultSet rs = p.executeQuery()) {
                            while (rs.next()) {
                                out.add(
                                        new EpochRecord(
                                                rs.getInt(1),
                                                rs.getDouble(2),
                                                rs.getDouble(3),
                                                rs.getDouble(4),
                                                rs.getDouble(5),
                                                rs.getDouble(6),
                                                rs.getDouble(7),
                                                true));
                            }
                        }
                        return out;
                    }
                });
    }

    /**
     * Records the tasks of a submission to a cluster, all in one transaction. Their runs must be
     * stored ({@link #queue}).
     *
     * @param tasks the tasks
     */
    public synchronized void addTasks(List<RunTask> tasks) {
        write(
                "record " + tasks.size() + " cluster tasks",
                c -> {
                    try (PreparedStatement p =
                            c.prepareStatement(
                                    "INSERT INTO run_tasks (job_name, task_index, run_key, job_id,"
                                        + " log_file, submitted_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                        for (RunTask t : tasks) {
                            p.setString(1, t.jobName());
                            p.setInt(2, t.index());
                            p.setString(3, t.runKey());
                            p.setString(4, t.jobId());
                            p.setString(5, t.logFile().toString());
                            p.setString(6, TIME.format(t.submittedAt()));
                            p.executeUpdate();
                        }
                    }
                    return null;
                });
    }

    /**
     * Records the id the cluster's scheduler gave a submission.
     *
     * @param jobName the submission's name
     * @param jobId the scheduler's id of its job array
     */
    public synchronized void setJobId(String jobName, String jobId) {
        write(
                "record the job id of " + jobName,
                c -> {
                    try (PreparedStatement p =
                            c.prepareStatement(
                                    "UPDATE run_tasks SET job_id = ? WHERE job_name = ?")) {
                        p.setString(1, jobId);
                        p.setString(2, jobName);
                        p.executeUpdate();
                    }
                    return null;
                });
    }

    /**
     * @param jobName a submission's name
     * @param index a task's index in it
     * @return the task, if recorded
     */
    public synchronized Optional<RunTask> task(String jobName, int index) {
        return read(
                "find task " + index + " of " + jobName,
                c -> {
                    try (PreparedStatement p =
                            c.prepareStatement(
                                    "SELECT "
                                            + TASK_COLUMNS
                                            + " FROM run_tasks WHERE job_name = ? AND task_index ="
                                            + " ?")) {
                        p.setString(1, jobName);
                        p.setInt(2, index);
                        return tasks(p).stream().findFirst();
                    }
                });
    }

    /**
     * @param key a run's key
     * @return the task of the run's newest submission to a cluster, if it had any
     */
    public synchronized Optional<RunTask> latestTask(String key) {
        return read(
                "find the task of run " + key,
                c -> {
                    try (PreparedStatement p =
                            c.prepareStatement(
                                    "SELECT "
                                            + TASK_COLUMNS
                                            + " FROM run_tasks WHERE run_key = ? ORDER BY"
                                            + " submitted_at DESC, job_name DESC")) {
                        p.setString(1, key);
                        return tasks(p).stream().findFirst();
                    }
                });
    }

    private static List<RunTask> tasks(PreparedStatement p) throws SQLException {
        List<RunTask> out = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(
                        new RunTask(
                                rs.getString(1),
                                rs.getInt(2),
                                rs.getString(3),
                                rs.getString(4),
                                Path.of(rs.getString(5)),
                                instant(rs.getString(6))));
            }
        }
        return out;
    }

    private static List<RunRecord> records(PreparedStatement p) throws SQLException {
        List<RunRecord> out = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                NetSpec spec = Json.GSON.fromJson(rs.getString("spec_json"), NetSpec.class);
                Recipe recipe = Json.GSON.fromJson(rs.getString("recipe_json"), Recipe.class);
                String precision = rs.getString("compute_precision");
                RunConfig config =
                        new RunConfig(
                                spec,
                                recipe,
                                rs.getLong("data_seed"),
                                rs.getString("train_set"),
                                rs.getInt("train_size"),
                                rs.getString("test_set"),
                                rs.getInt("test_size"),
                                precision == null ? Precision.FP32 : Precision.parse(precision),
                                rs.getInt("channels_last") == 1,
                                rs.getString("library_version"));
                out.add(
                        new RunRecord(
                                rs.getString("run_key"),
                                config,
                                RunStatus.ofColumnValue(rs.getString("status")),
                                rs.getInt("epochs_done"),
                                rs.getInt("checkpoint_epoch"),
                                getDouble(rs, "final_test_accuracy"),
                                getDouble(rs, "kept_fraction"),
                                rs.getBytes("subnetwork"),
                                getDouble(rs, "wall_seconds"),
                                getDouble(rs, "images_per_second"),
                                instant(rs.getString("created_at")),
                                instant(rs.getString("updated_at")),
                                instant(rs.getString("finished_at")),
                                rs.getString("error_message")));
            }
        }
        return out;
    }

    private static void requireRow(int updated, String key) {
        if (updated != 1) {
            throw new IllegalStateException("run " + key + " is not in the store");
        }
    }

    /** NaN as SQL NULL: SQLite would store NaN as NULL anyway, other databases may refuse it. */
    private static void setDouble(PreparedStatement p, int index, double v) throws SQLException {
        if (Double.isNaN(v)) {
            p.setNull(index, Types.DOUBLE);
        } else {
            p.setDouble(index, v);
        }
    }

    private static double getDouble(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : v;
    }

    private static String now() {
        return TIME.format(Instant.now());
    }

    private static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }

    /** A unit of database work. */
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction and commits it; on a server database, a transaction that
     * met another's, or lost its connection, is tried again (every write here can be).
     */
    private <T> T write(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return transaction(work);
            } catch (SQLException e) {
                if (attempt > RETRIES || !retryable(e)) {
                    throw new StoreException("could not " + what + " (" + url + ")", e);
                }
                // Not Thread.sleep: an interrupt (the stop button) must not lose the write.
                LockSupport.parkNanos(
                        ThreadLocalRandom.current().nextLong(1, 1L << attempt) * 5_000_000L);
            }
        }
    }

    private <T> T transaction(Work<T> work) throws SQLException {
        Connection c = connection();
        try {
            c.setAutoCommit(false);
            T result = work.run(c);
            // Switching auto-commit back on commits (JDBC). An explicit commit() first would make
            // the SQLite driver begin the next transaction at once and hold the write lock.
            c.setAutoCommit(true);
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            resetAutoCommit(c);
            throw e;
        }
    }

    /**
     * Whether a failed transaction can simply run again: PostgreSQL's serialization failure and
     * deadlock, a unique key two writers inserted at once (the second try finds the row), and a
     * lost connection.
     */
    private boolean retryable(SQLException e) {
        String state = e.getSQLState();
        if (dialect == Dialect.SQLITE || state == null) {
            return false; // SQLite waits for its lock itself (busy_timeout)
        }
        return state.equals("40001")
                || state.equals("40P01")
                || state.equals("23505")
                || state.startsWith("08");
    }

    /** The open connection, made anew when a server database's connection broke. */
    private Connection connection() throws SQLException {
        if (dialect != Dialect.SQLITE && (connection.isClosed() || !connection.isValid(10))) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // It is broken already; the new one replaces it.
            }
            connection = connect(url, properties, dialect);
        }
        return connection;
    }

    /** Leaves the connection in auto-commit mode after a failed transaction. */
    private static void resetAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // Nothing is left to commit; the next write sets the mode again.
        }
    }

    private <T> T read(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.run(connection());
            } catch (SQLException e) {
                if (attempt > 2
                        || e.getSQLState() == null
                        || !e.getSQLState().startsWith("08")
                        || dialect == Dialect.SQLITE) {
                    throw new StoreException("could not " + what + " (" + url + ")", e);
                }
            }
        }
    }

    /** Closes the connection; written data is already committed. */
    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new StoreException("could not close " + url, e);
        }
    }

    @Override
    public String toString() {
        return "RunStore " + url + " (checkpoints in " + checkpointDir + ")";
    }
}
