package dev.edgepopup.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CellOutputTest {
    /** Long enough that only size and the cell's end send text. */
    private static final long NO_TIMER = 3_600_000;

    private record Sent(boolean stderr, String text) {}

    private final List<Sent> sent = new ArrayList<>();
    private CellOutput output;

    private CellOutput output(long limit) {
        output =
                new CellOutput((stderr, text) -> sent.add(new Sent(stderr, text)), limit, NO_TIMER);
        return output;
    }

    @AfterEach
    void close() {
        output.close();
    }

    private String stdout() {
        return sent.stream().filter(s -> !s.stderr()).map(Sent::text).collect(Collectors.joining());
    }

    private static String lines(int from, int to) {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < to; i++) {
            text.append(i).append('\n');
        }
        return text.toString();
    }

    @Test
    void manyLinesBecomeFewMessages() {
        PrintStream out = output(0).out();
        for (int i = 0; i < 100_000; i++) {
            out.println(i);
        }
        output.finishCell();
        String expected = lines(0, 100_000);
        assertEquals(expected, stdout());
        // 588,890 characters in messages of 65,536: 9 messages, not 100,000.
        assertEquals(
                (expected.length() + CellOutput.MESSAGE_CHARS - 1) / CellOutput.MESSAGE_CHARS,
                sent.size());
    }

    @Test
    void theTimerSendsWaitingText() throws Exception {
        output =
                new CellOutput(
                        (stderr, text) -> {
                            synchronized (sent) {
                                sent.add(new Sent(stderr, text));
                                sent.notifyAll();
                            }
                        },
                        0,
                        20);
        output.out().print("soon");
        synchronized (sent) {
            long deadline = System.currentTimeMillis() + 10_000;
            while (sent.isEmpty() && System.currentTimeMillis() < deadline) {
                sent.wait(100);
            }
            assertEquals(List.of(new Sent(false, "soon")), sent);
        }
    }

    @Test
    void streamsKeepTheirOrder() {
        CellOutput o = output(0);
        o.out().print("a1\n");
        o.out().print("a2\n");
        o.err().print("b\n");
        o.out().print("c\n");
        o.inOrder(() -> sent.add(new Sent(false, "<display>")));
        o.err().print("d\n");
        o.finishCell();
        assertEquals(
                List.of(
                        new Sent(false, "a1\na2\n"),
                        new Sent(true, "b\n"),
                        new Sent(false, "c\n"),
                        new Sent(false, "<display>"),
                        new Sent(true, "d\n")),
                sent);
    }

    @Test
    void rapidSwitchingJoinsEachStreamsText() {
        CellOutput o = output(0);
        for (int i = 0; i < 1000; i++) {
            o.out().print("o" + i + "\n");
            o.err().print("e" + i + "\n");
        }
        o.finishCell();
        assertEquals(CellOutput.MAX_RUNS, sent.size());
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            out.append('o').append(i).append('\n');
            err.append('e').append(i).append('\n');
        }
        assertEquals(out.toString(), stdout());
        assertEquals(
                err.toString(),
                sent.stream().filter(Sent::stderr).map(Sent::text).collect(Collectors.joining()));
        // The first switches keep their exact order.
        assertEquals(List.of(new Sent(false, "o0\n"), new Sent(true, "e0\n")), sent.subList(0, 2));
    }

    @Test
    void beyondTheLimitOnlyTheEndIsShownAndTheRestCounted() {
        CellOutput o = output(1000);
        String all = lines(0, 10_000);
        for (int i = 0; i < 10_000; i++) {
            o.out().println(i);
        }
        assertTrue(
                o.retainedChars() <= 100 + 4096, "held back text is bounded: " + o.retainedChars());
        o.finishCell();
        assertEquals(4, sent.size(), sent.toString());
        assertEquals(new Sent(false, all.substring(0, 1000)), sent.get(0));
        assertTrue(
                sent.get(1).stderr() && sent.get(1).text().contains("limit of 1,000 characters"),
                sent.get(1).text());
        // The end starts at a line and is at most a tenth of the limit.
        String shownEnd = sent.get(3).text();
        assertTrue(sent.get(2).stderr() && !sent.get(3).stderr(), sent.toString());
        assertTrue(
                all.endsWith(shownEnd) && shownEnd.length() <= 100 && shownEnd.length() > 90,
                shownEnd);
        assertEquals(
                '\n',
                all.charAt(all.length() - shownEnd.length() - 1),
                "starts at a line: " + shownEnd);
        long leftOut = all.length() - 1000 - shownEnd.length();
        long linesLeftOut =
                all.substring(1000, all.length() - shownEnd.length())
                        .chars()
                        .filter(c -> c == '\n')
                        .count();
        assertEquals(
                String.format(
                        "[... %,d characters (%,d lines) of output left out ...]%n",
                        leftOut, linesLeftOut),
                sent.get(2).text());
    }

    @Test
    void oneHugeStringIsCutToo() {
        CellOutput o = output(1000);
        o.out().print("x".repeat(5_000_000));
        assertTrue(o.retainedChars() <= 100 + 4096, "retained " + o.retainedChars());
        o.finishCell();
        assertEquals("x".repeat(1000) + "x".repeat(100), stdout());
        assertTrue(
                sent.get(2).text().contains("4,998,900 characters (0 lines)"), sent.get(2).text());
    }

    @Test
    void theNextCellStartsAfresh() {
        CellOutput o = output(10);
        o.out().print("0123456789abc\n");
        o.finishCell();
        sent.clear();
        o.out().print("fresh\n");
        o.finishCell();
        assertEquals(List.of(new Sent(false, "fresh\n")), sent);
    }

    @Test
    void charactersSplitAcrossWritesAreDecoded() {
        CellOutput o = output(0);
        for (byte b : "é € 😀\n".getBytes(StandardCharsets.UTF_8)) {
            o.out().write(b);
        }
        o.finishCell();
        assertEquals("é € 😀\n", stdout());
    }

    @Test
    void theLimitComesFromTheEnvironmentOrAProperty() {
        output(0);
        try {
            System.setProperty(CellOutput.LIMIT_PROPERTY, "2_000");
            assertEquals(2000, CellOutput.configuredLimit());
            System.setProperty(CellOutput.LIMIT_PROPERTY, "0");
            assertEquals(0, CellOutput.configuredLimit());
            System.setProperty(CellOutput.LIMIT_PROPERTY, "lots");
            assertEquals(CellOutput.DEFAULT_LIMIT, CellOutput.configuredLimit());
            System.setProperty(CellOutput.LIMIT_PROPERTY, "-5");
            assertEquals(CellOutput.DEFAULT_LIMIT, CellOutput.configuredLimit());
        } finally {
            System.clearProperty(CellOutput.LIMIT_PROPERTY);
        }
    }

    @Test
    void aNegativeLimitIsRefused() {
        output(0);
        assertThrows(
                IllegalArgumentException.class, () -> new CellOutput((e, t) -> {}, -1, NO_TIMER));
    }
}
