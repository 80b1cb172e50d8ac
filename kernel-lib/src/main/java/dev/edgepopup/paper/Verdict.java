package dev.edgepopup.paper;

import dev.edgepopup.display.Renderers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jsoup.nodes.Entities;

/**
 * Whether a run agrees with the paper, in one sentence computed from its {@link Claim}s:
 *
 * <pre>{@code
 * Verdict.of(Claim.peaksInside(curve, "k", 0.3, 0.7), Claim.beats(popup, zhou))
 *         .note("All on Fashion-MNIST, not CIFAR-10.")
 * }</pre>
 *
 * <p>It starts "Agrees with the paper:" only when every claim holds, "Agrees only in part with the
 * paper (m of n):" when some do, and "Does not agree with the paper here:" when none does; then
 * each claim's sentence with its measured numbers, and the definition of the margin when a claim
 * used one. In a notebook it renders as that sentence (HTML, the opening in bold).
 */
public final class Verdict {
    static {
        Renderers.add(Verdict.class, Verdict::bundle);
    }

    private final List<Claim> claims;
    private final List<String> notes;

    private Verdict(List<Claim> claims, List<String> notes) {
        if (claims.isEmpty()) {
            throw new IllegalArgumentException("a verdict needs at least one claim");
        }
        this.claims = List.copyOf(claims);
        this.notes = List.copyOf(notes);
    }

    /**
     * @param claims the paper's findings as checked
     * @return the verdict over all of them
     */
    public static Verdict of(Claim... claims) {
        return of(List.of(claims));
    }

    /**
     * @param claims the paper's findings as checked
     * @return the verdict over all of them
     */
    public static Verdict of(List<Claim> claims) {
        return new Verdict(claims, List.of());
    }

    /**
     * Adds a sentence at the end, e.g. what data the run used.
     *
     * @param sentence the sentence; a blank one adds nothing
     * @return a verdict with it
     */
    public Verdict note(String sentence) {
        if (sentence == null || sentence.isBlank()) {
            return this;
        }
        List<String> more = new ArrayList<>(notes);
        more.add(sentence);
        return new Verdict(claims, more);
    }

    /**
     * @return the claims, in order
     */
    public List<Claim> claims() {
        return claims;
    }

    /**
     * @return how many claims hold
     */
    public int holding() {
        return (int) claims.stream().filter(Claim::holds).count();
    }

    /**
     * @return true when every claim holds
     */
    public boolean agrees() {
        return holding() == claims.size();
    }

    /**
     * @return "Agrees with the paper:", "Agrees only in part with the paper (m of n):" or "Does not
     *     agree with the paper here:"
     */
    public String opening() {
        int held = holding();
        if (held == claims.size()) {
            return "Agrees with the paper:";
        }
        return held == 0
                ? "Does not agree with the paper here:"
                : "Agrees only in part with the paper (" + held + " of " + claims.size() + "):";
    }

    /**
     * @return everything after the opening: the claims' sentences, the margin and the notes
     */
    public String body() {
        StringBuilder sb =
                new StringBuilder(
                                claims.stream()
                                        .map(Claim::sentence)
                                        .collect(Collectors.joining("; ")))
                        .append('.');
        List<Double> floors =
                claims.stream()
                        .filter(Claim::usesMargin)
                        .map(Claim::floor)
                        .distinct()
                        .sorted()
                        .toList();
        if (!floors.isEmpty()) {
            String pointsText =
                    floors.stream().map(Claim::points).collect(Collectors.joining(" or "));
            sb.append(" A difference counts only beyond its margin: the larger of ")
                    .append(pointsText)
                    .append(floors.size() == 1 && floors.get(0) == 0.01 ? " point" : " points")
                    .append(
                            " and the spread over seeds, sqrt(s_A^2 + s_B^2), where a single seed's"
                                    + " spread is unknown and counts as 0.");
        }
        notes.forEach(n -> sb.append(' ').append(n));
        return sb.toString();
    }

    /**
     * @return the whole sentence: {@link #opening()}, a space, {@link #body()}
     */
    public String sentence() {
        return opening() + " " + body();
    }

    @Override
    public String toString() {
        return sentence();
    }

    private static Map<String, Object> bundle(Verdict v) {
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put(
                Renderers.TEXT_HTML,
                "<p><b>"
                        + Entities.escape(v.opening())
                        + "</b> "
                        + Entities.escape(v.body())
                        + "</p>");
        bundle.put(Renderers.TEXT_PLAIN, v.sentence());
        return bundle;
    }
}
