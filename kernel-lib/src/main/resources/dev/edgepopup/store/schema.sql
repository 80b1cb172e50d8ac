-- The run store's schema (dev.edgepopup.store.RunStore runs this file on every open), one file
-- for every database: plain SQL with VARCHAR, INTEGER, BIGINT, DOUBLE PRECISION and BLOB, which
-- the store writes as BYTEA for PostgreSQL (its name for the type). Column names avoid reserved
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
    -- pending, running, finished, interrupted or failed
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

-- Columns added after the first release. RunStore runs an ADD COLUMN only when the column is
-- missing, so a file made before them takes them and keeps its rows (NULL in these columns: runs
-- of an unrecorded library, whose keys no new configuration matches).
-- The library version and code fingerprint (RunConfig.library(), part of the run key).
ALTER TABLE runs ADD COLUMN library_version VARCHAR(100);
-- The arithmetic the run used: fp32 or bf16 (NULL: fp32), and 1 for channels-last images.
ALTER TABLE runs ADD COLUMN compute_precision VARCHAR(8);
ALTER TABLE runs ADD COLUMN channels_last INTEGER;

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

-- Which task of a cluster job array trains which run (dev.edgepopup.sweep.Slurm): the worker of
-- task task_index of the submission job_name reads its run from here. A run sent again later
-- (resumed, or failed and retried) has a row per submission; the newest one is its current task.
CREATE TABLE IF NOT EXISTS run_tasks (
    -- unique per submission, also the job's name on the cluster, e.g. edgepopup-3fa9c2d1e0b4
    job_name            VARCHAR(100)     NOT NULL,
    -- the task's index in the array (SLURM_ARRAY_TASK_ID)
    task_index          INTEGER          NOT NULL,
    run_key             VARCHAR(64)      NOT NULL REFERENCES runs (run_key),
    -- the scheduler's id of the job array, set once it answered the submission
    job_id              VARCHAR(100),
    log_file            VARCHAR(1000)    NOT NULL,
    submitted_at        VARCHAR(24)      NOT NULL,
    PRIMARY KEY (job_name, task_index)
);
CREATE INDEX IF NOT EXISTS run_tasks_by_run ON run_tasks (run_key);
