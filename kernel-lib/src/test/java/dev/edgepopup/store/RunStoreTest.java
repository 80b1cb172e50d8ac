package dev.edgepopup.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.init.Init;
import dev.edgepopup.nn.Method;
import dev.edgepopup.nn.Nets;
import dev.edgepopup.nn.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The store on an SQLite file: the common suite ({@link RunStoreContract}) and SQLite's own. */
class RunStoreTest extends RunStoreContract {
    @Override
    String url() {
        return "jdbc:sqlite:" + dir.resolve("runs").resolve("runs.db");
    }

    @Test
    void aFileOpenedByPathKeepsCheckpointsBesideIt() {
        Path db = dir.resolve("runs").resolve("runs.db");
        try (RunStore store = RunStore.open(db)) {
            assertEquals(db.getParent().resolve("checkpoints"), store.checkpointDir());
            store.start(config(1));
        }
        try (RunStore store = RunStore.open("jdbc:sqlite:" + db)) {
            assertEquals(db.getParent().resolve("checkpoints"), store.checkpointDir());
            assertEquals(1, store.runs().size());
        }
    }

    @Test
    void aDatabaseWithoutAFileNeedsItsCheckpointDirectoryNamed() {
        for (String url :
                List.of(
                        "jdbc:sqlite::memory:",
                        "jdbc:postgresql://db/ep?user=me&password=secret")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> RunStore.open(url));
            assertTrue(e.getMessage().contains("name their directory"), e.getMessage());
            assertFalse(e.getMessage().contains("secret"), e.getMessage());
        }
    }

    @Test
    void theKeyIsAStableHashOfTheWholeConfiguration() {
        RunConfig c = config(1);
        // A changed key orphans every stored run: change this only on purpose (last: the
        // library version and the arithmetic joined the configuration).
        assertEquals("21a2a4862b1facea9c928231ea952a95fbfab0b554c6f406745a5a3e9af057d4", c.key());
        assertEquals(c.key(), config(1).key());
        List<RunConfig> different =
                List.of(
                        config(2),
                        new RunConfig(
                                c.spec(),
                                c.recipe(),
                                9,
                                c.trainSet(),
                                c.trainSize(),
                                c.testSet(),
                                c.testSize(),
                                Precision.FP32,
                                false,
                                LIBRARY),
                        new RunConfig(
                                Nets.fc().keep(0.5).init(Init.KAIMING_NORMAL).seed(1).spec(),
                                c.recipe(),
                                1,
                                c.trainSet(),
                                c.trainSize(),
                                c.testSet(),
                                c.testSize(),
                                Precision.FP32,
                                false,
                                LIBRARY),
                        new RunConfig(
                                Nets.fc()
                                        .keep(0.3)
                                        .init(Init.KAIMING_NORMAL)
                                        .seed(1)
                                        .method(Method.ZHOU)
                                        .spec(),
                                c.recipe(),
                                1,
                                c.trainSet(),
                                c.trainSize(),
                                c.testSet(),
                                c.testSize(),
                                Precision.FP32,
                                false,
                                LIBRARY),
                        new RunConfig(
                                c.spec(),
                                c.recipe().lr(0.1),
                                1,
                                c.trainSet(),
                                c.trainSize(),
                                c.testSet(),
                                c.testSize(),
                                Precision.FP32,
                                false,
                                LIBRARY),
                        new RunConfig(
                                c.spec(),
                                c.recipe(),
                                1,
                                "fashion-mnist/train[:600]",
                                600,
                                c.testSet(),
                                c.testSize(),
                                Precision.FP32,
                                false,
                                LIBRARY),
                        // Another library, or other arithmetic, is another run.
                        new RunConfig(
                                c.spec(),
                                c.recipe(),
                                1,
                                c.trainSet(),
                                c.trainSize(),
                                c.testSet(),
                                c.testSize(),
                                Precision.FP32,
                                false,
                                "0.1.0+0123456789ac"),
                        new RunConfig(
                                c.spec(),
                                c.recipe(),
                                1,
                                c.trainSet(),
                                c.trainSize(),
                                c.testSet(),
                                c.testSize(),
                                Precision.FP32,
                                false,
                                "0.2.0+0123456789ab"),
                        c.compute(Precision.BF16, false),
                        c.compute(Precision.FP32, true));
        for (RunConfig d : different) {
            assertNotEquals(c.key(), d.key(), d.toString());
        }
        assertEquals(c.keyWithoutSeeds(), config(2).keyWithoutSeeds());
        assertNotEquals(c.keyWithoutSeeds(), different.get(2).keyWithoutSeeds());
    }

    @Test
    void aFileMadeBeforeTheVersionColumnsOpensAndKeepsItsRuns() throws Exception {
        Path db = dir.resolve("old.db");
        String old =
                new String(
                        RunStoreTest.class
                                .getResourceAsStream("schema-before-versions.sql")
                                .readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement()) {
            for (String statement : old.replaceAll("--[^\n]*", "").split(";")) {
                if (!statement.isBlank()) {
                    s.execute(statement);
                }
            }
            s.execute(
                    "INSERT INTO runs (run_key, net_arch, net_width, net_method, net_keep,"
                        + " net_init, recipe_name, recipe_epochs, weight_seed, score_seed,"
                        + " data_seed, train_set, train_size, test_set, test_size, spec_json,"
                        + " recipe_json, status, checkpoint_epoch, final_test_accuracy, created_at,"
                        + " updated_at) VALUES ('oldkey', 'fc', 1, 'EDGE_POPUP', 0.3,"
                        + " 'KAIMING_NORMAL', 'r', 3, 1, 2, 1, 'a', 500, 'b', 200, '"
                            + dev.edgepopup.io.Json.GSON.toJson(config(1).spec())
                            + "', '"
                            + dev.edgepopup.io.Json.GSON.toJson(config(1).recipe())
                            + "', 'finished', 0, 0.5,"
                            + " '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')");
        }
        for (int open = 0; open < 2; open++) { // the second open finds the columns there
            try (RunStore store = RunStore.open(db)) {
                RunRecord r = store.find("oldkey").orElseThrow();
                assertEquals(0.5, r.finalTestAccuracy());
                assertNull(r.config().library(), "an old run's library is unknown");
                assertEquals(Precision.FP32, r.config().precision());
                assertFalse(r.config().channelsLast());
                RunConfig now = config(1).compute(Precision.BF16, true);
                store.start(now);
                assertEquals(now, store.find(now.key()).orElseThrow().config());
                assertEquals(2, store.runs().size());
            }
        }
    }

    @Test
    void sqliteFilesUseWriteAheadLogging() throws Exception {
        Path db = dir.resolve("runs.db");
        try (RunStore store = RunStore.open(db);
                Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            store.start(config(1));
            assertTrue(rs.next());
            assertEquals("wal", rs.getString(1));
            assertTrue(Files.exists(dir.resolve("runs.db-wal")));
        }
    }
}
