/**
 * Persistent, resumable sweeps for the notebooks: {@link dev.edgepopup.sweep.Sweep} trains every
 * configuration and seed of a grid into a {@link dev.edgepopup.store.RunStore}, skipping finished
 * runs and resuming cut-short ones, on a {@link dev.edgepopup.sweep.SweepExecutor} ({@link
 * dev.edgepopup.sweep.Local}: several runs at once in this JVM; {@link dev.edgepopup.sweep.Slurm}:
 * a job array on a Slurm cluster, each task running a {@link dev.edgepopup.sweep.SlurmWorker}),
 * with one live display of the whole sweep; {@link dev.edgepopup.sweep.SweepResult} gives per-run
 * and per-configuration tables and plot arrays; {@link dev.edgepopup.sweep.Scale} switches the
 * notebooks between a quick CPU setting and the paper's.
 */
package dev.edgepopup.sweep;
