package dev.edgepopup.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A schema of its own in the PostgreSQL database that {@code environment/test-slurm.sh} starts (the
 * system property {@value #PROPERTY} holds its URL), so each test starts empty. Without the
 * property, the tests that need it are skipped: {@code mvn verify} alone starts no server.
 */
public final class TestPostgres implements AutoCloseable {
    /** The system property with the JDBC URL of the test database (user and password in it). */
    public static final String PROPERTY = "edgepopup.test.postgres";

    private final String base;
    private final String schema;

    private TestPostgres(String base, String schema) {
        this.base = base;
        this.schema = schema;
    }

    /**
     * Creates a fresh schema; skips the calling test when no server was given.
     *
     * @return the schema
     * @throws SQLException if the server cannot be reached
     */
    public static TestPostgres fresh() throws SQLException {
        String base = System.getProperty(PROPERTY);
        assumeTrue(
                base != null && !base.isBlank(),
                "no PostgreSQL server: set -D" + PROPERTY + " (environment/test-slurm.sh does)");
        String schema =
                "t_"
                        + UUID.randomUUID()
                                .toString()
                                .replace("-", "")
                                .substring(0, 16)
                                .toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(base);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        return new TestPostgres(base, schema);
    }

    /**
     * @return the URL of the fresh schema: every table the store makes goes there
     */
    public String url() {
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** Drops the schema and everything in it. */
    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(base);
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }
}
