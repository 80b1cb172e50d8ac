package dev.edgepopup.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgepopup.display.Plots;
import dev.edgepopup.display.Renderers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;
import tech.tablesaw.api.Table;

class PaperTest {
    @Test
    void table1CountsTheSpecsWeights() {
        Table t = Paper.table1();
        assertEquals(
                List.of("FC", "Conv2", "Conv4", "Conv6", "Conv8"),
                t.stringColumn("network").asList());
        // Spec section 3.
        assertEquals(
                List.of(266_200L, 4_300_992L, 2_425_024L, 2_261_184L, 5_275_840L),
                t.longColumn("weights").asList());
        assertEquals(
                List.of(
                        "-",
                        "64, 64, pool",
                        "64, 64, pool, 128, 128, pool",
                        "64, 64, pool, 128, 128, pool, 256, 256, pool",
                        "64, 64, pool, 128, 128, pool, 256, 256, pool, 512, 512, pool"),
                t.stringColumn("conv layers").asList());
        assertEquals(
                List.of(
                        "300, 100, 10",
                        "256, 256, 10",
                        "256, 256, 10",
                        "256, 256, 10",
                        "256, 256, 10"),
                t.stringColumn("fc layers").asList());
        assertEquals(
                List.of("28x28x1", "32x32x3", "32x32x3", "32x32x3", "32x32x3"),
                t.stringColumn("input").asList());
        String html = (String) Renderers.render(t).get(Renderers.TEXT_HTML);
        assertTrue(
                html.contains("Table 1: the networks") && html.contains("<td>5,275,840</td>"),
                html);
    }

    @Test
    void theCifar10NumbersAreSpecSection5s() {
        assertEquals(
                List.of(0.775, 0.86, 0.88, 0.885),
                List.of("conv2", "conv4", "conv6", "conv8").stream()
                        .map(Paper::edgePopup)
                        .toList());
        assertEquals(
                List.of(0.795, 0.865, 0.885, 0.88),
                List.of("conv2", "conv4", "conv6", "CONV8").stream()
                        .map(Paper::learnedDense)
                        .toList());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Paper.edgePopup("fc"));
        assertEquals(
                "the paper reports CIFAR-10 numbers for conv2, conv4, conv6, conv8 only, not for"
                        + " 'fc'",
                e.getMessage());
        assertEquals(0.654, Paper.zhouLine().y());
        assertTrue(Paper.zhouLine().isLine());
    }

    @Test
    void figuresGetThePapersNumbersAtTheirX() throws Exception {
        List<Plots.Reference> k = Paper.figure3("conv4");
        assertEquals(
                Plots.Reference.point("paper (CIFAR-10): conv4 edge-popup, k = 0.5", 0.5, 0.86),
                k.get(0));
        assertEquals(
                Plots.Reference.line("paper (CIFAR-10): conv4 learned dense", 0.865), k.get(1));
        List<Plots.Reference> width = Paper.figure4("conv6");
        assertEquals(List.of(1.0, 1.0), width.stream().map(Plots.Reference::x).toList());
        assertEquals(List.of(0.88, 0.885), width.stream().map(Plots.Reference::y).toList());
        assertEquals(0.86, Paper.edgePopupLine("conv4").y());
        // A quick run's panel beside the paper's numbers, to look at.
        var fig =
                Plots.sweep("Conv2, width 0.25, Fashion-MNIST: subnetworks against k", "k")
                        .curve(
                                "edge-popup, conv2 U_k",
                                new double[] {0.1, 0.5, 0.9},
                                new double[] {0.74, 0.81, 0.78},
                                new double[] {0.006, 0.004, 0.01})
                        .baseline("learned conv2 dense-adam", 0.84)
                        .reference(Paper.figure3("conv2"));
        Files.createDirectories(Path.of("target", "figures"));
        BitmapEncoder.saveBitmap(
                fig.chart(), "target/figures/paper-figure3-conv2", BitmapEncoder.BitmapFormat.PNG);
    }

    @Test
    void namesAreThePapersSymbols() {
        assertEquals("conv4 U_k", Paper.names("conv4 signed_kaiming_constant"));
        assertEquals(
                "scaled U_k, scaled N_k, N_x, U_x, Kaiming uniform",
                Paper.names(
                        "scaled_signed_kaiming_constant, SCALED_KAIMING_NORMAL, xavier_normal, "
                                + "signed_xavier_constant, kaiming_uniform"));
        assertEquals("resnet18_cifar N_k", Paper.names("resnet18_cifar kaiming_normal"));
    }

    @Test
    void table2IsTheReferenceRepositorys() {
        assertEquals(4, Paper.TABLE2.size());
        Paper.ImageNetResult wide = Paper.TABLE2.get(2);
        assertEquals(
                new Paper.ImageNetResult(
                        "Wide ResNet-50-2, edge-popup k = 0.3", 20_600_000, 0.679, 0.733),
                wide);
        assertEquals(0.6615, Paper.TABLE2.get(1).kaimingNormal());
        assertEquals(0.733, Paper.TABLE2.get(3).top1());
        assertTrue(Double.isNaN(Paper.TABLE2.get(3).kaimingNormal()));
    }
}
