package dev.edgepopup.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store on a PostgreSQL server: the same suite as SQLite's ({@link RunStoreContract}), and
 * workers opening a new store all at once. Needs the server of environment/test-slurm.sh.
 */
class PostgresRunStoreTest extends RunStoreContract {
    private TestPostgres db;

    @BeforeEach
    void freshSchema() throws Exception {
        db = TestPostgres.fresh();
    }

    @AfterEach
    void dropSchema() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @Override
    String url() {
        return db.url();
    }

    @Test
    void workersOpeningANewStoreAtOnceMakeOneSchema() throws Exception {
        int workers = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                String prefix = "worker" + w;
                done.add(
                        pool.submit(
                                () -> {
                                    go.await();
                                    try (RunStore store = open()) {
                                        StoreWriter.writeRuns(store, prefix, 2);
                                    }
                                    return null;
                                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        try (RunStore store = open()) {
            List<String> prefixes = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                prefixes.add("worker" + w);
            }
            checkAllWritten(store, prefixes, 2);
        }
        try (Connection c = DriverManager.getConnection(url());
                ResultSet rs =
                        c.getMetaData().getColumns(null, c.getSchema(), "runs", "subnetwork")) {
            rs.next();
            assertEquals("bytea", rs.getString("TYPE_NAME"), "BLOB is BYTEA on PostgreSQL");
        }
    }
}
