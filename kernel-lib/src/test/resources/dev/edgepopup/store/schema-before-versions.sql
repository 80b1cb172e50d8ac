-- schema.sql as it was before the library version and compute columns (RunStoreTest opens a file made with it).
-- The run store's schema (dev.edgepopup.store.RunStore runs this file on every open).
-- Plain SQL: VARCHAR, INTEGER, BIGINT, DOUBLE PRECISION and BLOB, so a server database can take
-- the place of the SQLite file (PostgreSQL spells BLOB as BYTEA). Column names avoid reserved
-- words (METHOD, KEY). Times are UTC ISO-8601 strings with milliseconds,
-- "2025-01-31T12:00:00.000Z", which sort as text. Statements end with a semicolon; comments
-- start with two dashes (the loader splits on both, so neither appears inside a statement).

-- One row per run, keyed by a hash of its full configuration (RunConfig.key()).
-- spec_json and recipe_json are authoritative; net_*, recipe_name and recipe_epochs repeat them
-- as columns for queries.
CREATE TABLE IF NOT EXISTS runs (
    run_key             VARCHAR(64)      NOT NULL PRIMARY KEY,
    net_arch            VARCHAR(16)      NOT NULL,
    net_width           DOUBLE PRECISION NOT NULL,
    net_method          VARCHAR(16)      NOT NULL,
    net_keep            DOUBLE PRECISION NOT NULL,
    net_init            VARCHAR(40)      NOT NULL,
    recipe_name         VARCHAR(100)     NOT NULL,
    recipe_epochs       INTEGER          NOT NULL,
    weight_seed         BIGINT           NOT NULL,
    score_seed          BIGINT           NOT NULL,
    data_seed           BIGINT           NOT NULL,
    train_set           VARCHAR(200)     NOT NULL,
    train_size          INTEGER          NOT NULL,
    test_set            VARCHAR(200)     NOT NULL,
    test_size           INTEGER          NOT NULL,
    spec_json           VARCHAR(4000)    NOT NULL,
    recipe_json         VARCHAR(4000)    NOT NULL,
    -- running, finished, interrupted or failed
    status              VARCHAR(16)      NOT NULL,
    -- the last epoch whose checkpoint file is known to be written (0: none)
    checkpoint_epoch    INTEGER          NOT NULL,
    error_message       VARCHAR(4000),
    -- results, set when the run finishes
    final_test_accuracy DOUBLE PRECISION,
    kept_fraction       DOUBLE PRECISION,
    -- the compact subnetwork file (dev.edgepopup.export.Subnetwork), edge-popup runs only
    subnetwork          BLOB,
    -- sum of the epochs' wall-clock seconds (evaluation included), over every session of the run
    wall_seconds        DOUBLE PRECISION,
    -- training images per second, mean over the epochs
    images_per_second   DOUBLE PRECISION,
    created_at          VARCHAR(24)      NOT NULL,
    updated_at          VARCHAR(24)      NOT NULL,
    finished_at         VARCHAR(24)
);

-- One row per finished epoch of a run (an epoch cut short by an interrupt is not stored).
CREATE TABLE IF NOT EXISTS run_epochs (
    run_key             VARCHAR(64)      NOT NULL REFERENCES runs (run_key),
    epoch               INTEGER          NOT NULL,
    train_loss          DOUBLE PRECISION NOT NULL,
    train_accuracy      DOUBLE PRECISION NOT NULL,
    test_accuracy       DOUBLE PRECISION NOT NULL,
    learning_rate       DOUBLE PRECISION NOT NULL,
    wall_seconds        DOUBLE PRECISION NOT NULL,
    images_per_second   DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_key, epoch)
);
