package dev.edgepopup.paper;

import dev.edgepopup.display.Format;
import dev.edgepopup.display.Plots.Reference;
import dev.edgepopup.nn.NetSpec;
import dev.edgepopup.nn.Nets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The paper's own numbers (spec section 5), with their sources, to draw beside a run's and to check
 * it against:
 *
 * <pre>{@code
 * fig.reference(Paper.figure3("conv4"));          // a diamond at k = 0.5, a line for learned
 * double conv4 = Paper.edgePopup("conv4");        // 0.86
 * Paper.table1()                                  // the architectures, as Table 1
 * }</pre>
 *
 * <p>The paper gives its CIFAR-10 results as plots only: those values are read off them, about
 * +-0.5 points ({@link #READING_ERROR}), and are not official ({@link #CIFAR10_SOURCE}). The
 * ImageNet values are the reference repository's table ({@link #IMAGENET_SOURCE}). Every figure
 * label says "paper (CIFAR-10)" or "paper, ImageNet", so a quick run on other data is not mistaken
 * for the same experiment.
 */
public final class Paper {
    /** The paper. */
    public static final String CITATION =
            "Ramanujan, Wortsman, Kembhavi, Farhadi, Rastegari, \"What's Hidden in a Randomly"
                    + " Weighted Neural Network?\", CVPR 2020 (arXiv 1911.13299)";

    /** Where the CIFAR-10 numbers come from. */
    public static final String CIFAR10_SOURCE =
            "read off the paper's CIFAR-10 plots " + "(Figure 3; about +-0.5 points, not official)";

    /** Where the ImageNet numbers come from. */
    public static final String IMAGENET_SOURCE =
            "ImageNet top-1 at k = 0.3 as the reference "
                    + "repository (allenai/hidden-networks) reports it";

    /** How far a value read off a CIFAR-10 plot may be from the plotted one: 0.5 points. */
    public static final double READING_ERROR = 0.005;

    /** Zhou et al.'s own CIFAR-10 supermask, as the paper quotes it (section 2): 65.4%. */
    public static final double ZHOU_CIFAR10 = 0.654;

    /** The k of the paper's CIFAR-10 values. */
    public static final double CIFAR10_K = 0.5;

    /** Per net: edge-popup at k = 0.5, learned dense weights (spec section 5). */
    private static final Map<String, double[]> CIFAR10 =
            Map.of(
                    "conv2", new double[] {0.775, 0.795},
                    "conv4", new double[] {0.86, 0.865},
                    "conv6", new double[] {0.88, 0.885},
                    "conv8", new double[] {0.885, 0.88});

    private static final String CIFAR = "paper (CIFAR-10): ";

    /**
     * One row of the paper's Table 2 (ImageNet, k = 0.3).
     *
     * @param network the network and how its weights were found, e.g. "ResNet-50, edge-popup k =
     *     0.3"
     * @param weights the subnetwork's size (a dense network: all its weights)
     * @param kaimingNormal top-1 of the subnetwork of Kaiming normal weights (N_k); NaN for a dense
     *     row
     * @param top1 top-1 of the subnetwork of signed Kaiming constant weights (U_k), or of the
     *     learned dense network
     */
    public record ImageNetResult(String network, long weights, double kaimingNormal, double top1) {}

    /** The paper's Table 2 (spec section 5), the learned ResNet-34 last. */
    public static final List<ImageNetResult> TABLE2 =
            List.of(
                    new ImageNetResult("ResNet-50, edge-popup k = 0.3", 7_700_000, 0.617, 0.686),
                    new ImageNetResult("ResNet-101, edge-popup k = 0.3", 13_300_000, 0.6615, 0.723),
                    new ImageNetResult(
                            "Wide ResNet-50-2, edge-popup k = 0.3", 20_600_000, 0.679, 0.733),
                    new ImageNetResult(
                            "ResNet-34, learned (dense)", 21_800_000, Double.NaN, 0.733));

    /** The paper's symbols for the distributions' names as tables and legends spell them. */
    private static final Map<String, String> SYMBOLS =
            Map.of(
                    "kaiming_normal", "N_k",
                    "signed_kaiming_constant", "U_k",
                    "scaled_kaiming_normal", "scaled N_k",
                    "scaled_signed_kaiming_constant", "scaled U_k",
                    "xavier_normal", "N_x",
                    "signed_xavier_constant", "U_x",
                    "kaiming_uniform", "Kaiming uniform",
                    "xavier_normal_fan_avg", "N_x (fan avg)");

    private static final Pattern WORD = Pattern.compile("[A-Za-z_]+");

    private Paper() {}

    private static double[] cifar10(String net) {
        double[] v = CIFAR10.get(net.toLowerCase(Locale.ROOT));
        if (v == null) {
            throw new IllegalArgumentException(
                    "the paper reports CIFAR-10 numbers for "
                            + CIFAR10.keySet().stream().sorted().collect(Collectors.joining(", "))
                            + " only, not for '"
                            + net
                            + "'");
        }
        return v;
    }

    /**
     * Edge-popup's CIFAR-10 test accuracy at k = 0.5, read off Figure 3.
     *
     * @param net "conv2", "conv4", "conv6" or "conv8"
     * @return e.g. 0.86 for conv4
     */
    public static double edgePopup(String net) {
        return cifar10(net)[0];
    }

    /**
     * The same network's CIFAR-10 test accuracy with learned dense weights, read off Figure 3.
     *
     * @param net "conv2", "conv4", "conv6" or "conv8"
     * @return e.g. 0.865 for conv4
     */
    public static double learnedDense(String net) {
        return cifar10(net)[1];
    }

    /**
     * The paper's numbers for a figure of accuracy against k (Figure 3): edge-popup at k = 0.5 as a
     * diamond, learned dense weights as a line.
     *
     * @param net "conv2", "conv4", "conv6" or "conv8"
     * @return the references
     */
    public static List<Reference> figure3(String net) {
        return List.of(
                Reference.point(CIFAR + net + " edge-popup, k = 0.5", CIFAR10_K, edgePopup(net)),
                Reference.line(CIFAR + net + " learned dense", learnedDense(net)));
    }

    /**
     * The paper's numbers for a figure of accuracy against width (Figures 4 and 5): edge-popup at k
     * = 0.5 and learned dense weights, both at width 1.
     *
     * @param net "conv2", "conv4", "conv6" or "conv8"
     * @return the references
     */
    public static List<Reference> figure4(String net) {
        return List.of(
                Reference.point(CIFAR + net + " edge-popup, k = 0.5, width 1", 1, edgePopup(net)),
                Reference.point(CIFAR + net + " learned dense, width 1", 1, learnedDense(net)));
    }

    /**
     * The paper's numbers for a bar figure of one network's subnetworks (Figures 6 and 7): its
     * edge-popup accuracy at k = 0.5 (Figure 3) as a line.
     *
     * @param net "conv2", "conv4", "conv6" or "conv8"
     * @return the reference
     */
    public static Reference edgePopupLine(String net) {
        return Reference.line(CIFAR + net + " edge-popup, k = 0.5", edgePopup(net));
    }

    /**
     * Zhou et al.'s own CIFAR-10 supermask as a line, for Figure 6.
     *
     * @return the reference
     */
    public static Reference zhouLine() {
        return Reference.line("Zhou et al.'s paper (CIFAR-10): supermask", ZHOU_CIFAR10);
    }

    /**
     * Writes the distributions as the paper does: {@code conv4 signed_kaiming_constant} becomes
     * {@code conv4 U_k}; other words stay as they are.
     *
     * @param text a label, e.g. a curve's name or a table cell
     * @return the label with U_k, N_k, U_x, N_x, "scaled U_k", ...
     */
    public static String names(String text) {
        Matcher m = WORD.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String symbol = SYMBOLS.get(m.group().toLowerCase(Locale.ROOT));
            m.appendReplacement(out, Matcher.quoteReplacement(symbol == null ? m.group() : symbol));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Table 1 of the paper, computed from the networks this library builds (spec section 3): per
     * network its input, conv layers (3x3, "pool" for each 2x2 max-pool), fully connected layers
     * and weight count at k = 1. FC takes MNIST-size input, the ConvX nets CIFAR-10's.
     *
     * @return the table, counts with thousands separators
     */
    public static Table table1() {
        List<String> nets = List.of("fc", "conv2", "conv4", "conv6", "conv8");
        List<String> inputs = new ArrayList<>();
        List<String> convs = new ArrayList<>();
        List<String> fcs = new ArrayList<>();
        long[] weights = new long[nets.size()];
        for (int i = 0; i < nets.size(); i++) {
            NetSpec spec = Nets.of(nets.get(i)).spec();
            List<String> conv = new ArrayList<>();
            List<String> fc = new ArrayList<>();
            for (NetSpec.Step step : spec.layout()) {
                switch (step.kind()) {
                    case CONV -> conv.add(Integer.toString(step.out()));
                    case POOL -> conv.add("pool");
                    case LINEAR -> fc.add(Integer.toString(step.out()));
                    default -> {}
                }
            }
            inputs.add(spec.height() + "x" + spec.imageWidth() + "x" + spec.channels());
            convs.add(conv.isEmpty() ? "-" : String.join(", ", conv));
            fcs.add(String.join(", ", fc));
            weights[i] = spec.weightCount();
        }
        Table t =
                Table.create(
                        "Table 1: the networks (3x3 convolutions without bias, "
                                + "weights at k = 1)",
                        StringColumn.create("network", nets.stream().map(Paper::display)),
                        StringColumn.create("input", inputs),
                        StringColumn.create("conv layers", convs),
                        StringColumn.create("fc layers", fcs),
                        LongColumn.create("weights", weights));
        return Format.COUNT.on(t, "weights");
    }

    private static String display(String net) {
        return net.equals("fc") ? "FC" : "Conv" + net.substring(4);
    }
}
