package dev.edgepopup.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.nn.Nets;
import dev.edgepopup.store.RunConfig;
import dev.edgepopup.train.Recipe;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The job script and options of {@link Slurm}, without a cluster (SlurmSweepTest has one). */
class SlurmTest {
    private static List<String> lines(Slurm s) {
        return s.script(
                        "jdbc:postgresql://db/ep?user=me",
                        Path.of("/shared/ck"),
                        Path.of("/shared/logs"),
                        "edgepopup-0123456789ab",
                        8)
                .lines()
                .toList();
    }

    @Test
    void theScriptIsAJobArrayWithSbatchsOptionsAndRunsTheWorkerOnItsTask() {
        Slurm s =
                Slurm.partition("gpu")
                        .account("proj-7")
                        .time("12:00:00")
                        .cpusPerRun(4)
                        .memoryPerRun("16G")
                        .gpusPerRun(1)
                        .throttle(3)
                        .sbatch("--qos=long")
                        .java(Path.of("/opt/jdk17/bin/java"))
                        .classPath("/opt/ep/lib/*")
                        .jvmOptions("-Xmx8g")
                        .env("EDGEPOPUP_CIFAR10", "/shared/data/it's here");
        List<String> lines = lines(s);
        assertEquals("#!/bin/bash", lines.get(0));
        List<String> sbatch = lines.stream().filter(l -> l.startsWith("#SBATCH ")).toList();
        assertEquals(
                List.of(
                        "#SBATCH --job-name=edgepopup-0123456789ab",
                        "#SBATCH --array=0-7%3",
                        "#SBATCH --ntasks=1",
                        "#SBATCH --output=/shared/logs/edgepopup-0123456789ab-%a.log",
                        "#SBATCH --open-mode=append",
                        "#SBATCH --requeue",
                        "#SBATCH --chdir=" + Path.of("").toAbsolutePath(),
                        "#SBATCH --partition=gpu",
                        "#SBATCH --account=proj-7",
                        "#SBATCH --time=12:00:00",
                        "#SBATCH --cpus-per-task=4",
                        "#SBATCH --mem=16G",
                        "#SBATCH --gres=gpu:1",
                        "#SBATCH --qos=long"),
                sbatch);
        assertTrue(
                lines.contains("export EDGEPOPUP_CIFAR10='/shared/data/it'\\''s here'"),
                lines.toString());
        String exec = lines.get(lines.size() - 1);
        assertTrue(
                exec.startsWith(
                        "exec '/opt/jdk17/bin/java' '-Djava.awt.headless=true' "
                                + "'-Dai.djl.offline="),
                exec);
        assertTrue(
                exec.endsWith(
                        " '-Xmx8g' '-cp' '/opt/ep/lib/*' 'dev.edgepopup.sweep.SlurmWorker'"
                                + " '--store' 'jdbc:postgresql://db/ep?user=me' '--checkpoints'"
                                + " '/shared/ck' '--job' 'edgepopup-0123456789ab' --task"
                                + " \"$SLURM_ARRAY_TASK_ID\""),
                exec);
        assertTrue(lines(Slurm.cluster().gpusPerTask(2)).contains("#SBATCH --gpus-per-task=2"));
        assertTrue(
                lines(Slurm.cluster()).stream()
                        .noneMatch(
                                l ->
                                        l.contains("--partition")
                                                || l.contains("--gres")
                                                || l.contains("--time")),
                "the cluster's defaults");
    }

    @Test
    void optionsAreCheckedAsSbatchWouldAndDescribed() {
        assertEquals(
                "Slurm: a job array of 8 tasks on partition gpu, each 1 GPU, 4 CPUs, "
                        + "16G memory, time 1-00:00, at most 2 at once",
                Slurm.partition("gpu")
                        .gpusPerRun(1)
                        .cpusPerRun(4)
                        .memoryPerRun("16G")
                        .time("1-00:00")
                        .throttle(2)
                        .describe(8));
        assertEquals("Slurm: a job array of 1 task", Slurm.cluster().describe(1));
        for (String t : List.of("90", "10:00", "12:00:00", "2-12", "2-12:30:00")) {
            Slurm.cluster().time(t);
        }
        assertThrows(IllegalArgumentException.class, () -> Slurm.cluster().time("12h"));
        assertThrows(IllegalArgumentException.class, () -> Slurm.cluster().memoryPerRun("16GB"));
        assertThrows(IllegalArgumentException.class, () -> Slurm.partition("gpu; rm -rf"));
        assertThrows(IllegalArgumentException.class, () -> Slurm.cluster().gpusPerRun(0));
        assertThrows(IllegalArgumentException.class, () -> Slurm.cluster().sbatch("qos=long"));
        assertThrows(IllegalArgumentException.class, () -> Slurm.cluster().env("A B", "x"));
    }

    @Test
    void workersOpenTheDataByNameOnly() {
        RunConfig named =
                new RunConfig(
                        Nets.fc().spec(),
                        Recipe.CIFAR10_EDGE_POPUP,
                        1,
                        "fashion-mnist/train[:500]",
                        500,
                        "fashion-mnist/test",
                        10_000);
        RunData.check(named);
        RunData.check(
                new RunConfig(
                        Nets.fc().spec(),
                        Recipe.CIFAR10_EDGE_POPUP,
                        1,
                        "/shared/imagenet/train",
                        500,
                        "/shared/imagenet/val",
                        100));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                RunData.check(
                                        new RunConfig(
                                                Nets.fc().spec(),
                                                Recipe.CIFAR10_EDGE_POPUP,
                                                1,
                                                "random",
                                                500,
                                                "fashion-mnist/test",
                                                100)));
        assertTrue(e.getMessage().contains("cannot open the data set 'random'"), e.getMessage());
    }
}
