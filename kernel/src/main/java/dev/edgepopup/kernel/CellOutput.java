package dev.edgepopup.kernel;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A cell's stdout and stderr, sent as few stream messages: text is collected and published every
 * {@value #FLUSH_MILLIS} ms and whenever {@value #MESSAGE_CHARS} characters are waiting, as
 * ipykernel does. One message per {@code println} overflows ZeroMQ's queues (about a thousand
 * messages) and the client loses output and the cell's idle status.
 *
 * <p>Order between the two streams is kept: each change of stream starts a new message. A cell that
 * switches more than {@value #MAX_RUNS} times within one interval has each stream's further text of
 * that interval joined to that stream's last message, so the message rate stays bounded.
 *
 * <p>A cell shows at most {@code limit} characters; then a notice says the rest is held back, only
 * the last tenth of the limit is kept, and when the cell ends a second notice says how much was
 * left out, followed by that end. So memory stays bounded whatever a cell prints.
 */
final class CellOutput implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CellOutput.class.getName());

    /** Longest time text waits before it is sent. */
    static final long FLUSH_MILLIS = 50;

    /** Waiting text that is sent at once, and the longest stream message. */
    static final int MESSAGE_CHARS = 1 << 16;

    /** Stream runs kept apart within one interval. */
    static final int MAX_RUNS = 16;

    /** Characters a cell shows by default. */
    static final long DEFAULT_LIMIT = 1_000_000;

    /**
     * Environment variable (or system property {@value #LIMIT_PROPERTY}) that sets the limit; 0
     * means none.
     */
    static final String LIMIT_VARIABLE = "EDGEPOPUP_OUTPUT_LIMIT";

    static final String LIMIT_PROPERTY = "edgepopup.outputLimit";

    /**
     * The held-back end is kept in pieces of this size, at most {@value #MAX_TAIL_PIECES} of them.
     */
    private static final int TAIL_PIECE = 4096;

    private static final int MAX_TAIL_PIECES = 64;

    /** Where text goes: each call is one stream message. */
    @FunctionalInterface
    interface Sink {
        /**
         * Publishes text.
         *
         * @param stderr whether it is stderr's
         * @param text the text
         */
        void publish(boolean stderr, String text);
    }

    /** Consecutive text of one stream. */
    private static final class Run {
        boolean stderr;
        final StringBuilder text = new StringBuilder();

        Run(boolean stderr) {
            this.stderr = stderr;
        }
    }

    private final Sink sink;
    private final long limit;
    private final long tailLimit;
    private final ScheduledExecutorService timer;
    private final PrintStream out;
    private final PrintStream err;

    // All below guarded by this.
    private final List<Run> pending = new ArrayList<>();
    private int pendingChars;
    private long shown;
    private char lastShown = '\n';
    private boolean holding;

    /** The character just before the kept end: whether that end starts a line. */
    private char beforeTail;

    private final Deque<Run> tail = new ArrayDeque<>();

    /** Pieces dropped from the tail, reused: holding back a flood makes no garbage. */
    private final Deque<Run> spare = new ArrayDeque<>();

    private long tailChars;
    private long heldChars;
    private long heldLines;

    /**
     * Starts the flush timer.
     *
     * @param sink where messages go
     * @param limit characters a cell shows before output is held back; 0 for no limit
     * @param flushMillis longest wait before waiting text is sent
     */
    CellOutput(Sink sink, long limit, long flushMillis) {
        if (limit < 0) {
            throw new IllegalArgumentException(
                    "output limit must be 0 (none) or positive, not " + limit);
        }
        this.sink = sink;
        this.limit = limit;
        this.tailLimit = Math.max(1, limit / 10);
        this.out = new PrintStream(new Decoding(false), false, StandardCharsets.UTF_8);
        this.err = new PrintStream(new Decoding(true), false, StandardCharsets.UTF_8);
        this.timer =
                Executors.newSingleThreadScheduledExecutor(
                        task -> {
                            Thread thread = new Thread(task, "cell-output");
                            thread.setDaemon(true);
                            return thread;
                        });
        timer.scheduleWithFixedDelay(this::tick, flushMillis, flushMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Reads the limit from {@value #LIMIT_PROPERTY} or {@value #LIMIT_VARIABLE}.
     *
     * @return the characters a cell shows, 0 for no limit
     */
    static long configuredLimit() {
        String value = System.getProperty(LIMIT_PROPERTY, System.getenv(LIMIT_VARIABLE));
        if (value == null || value.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            long parsed = Long.parseLong(value.strip().replace("_", ""));
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        LOG.warning(
                () ->
                        LIMIT_VARIABLE
                                + "="
                                + value
                                + " is not a character count (0 for no limit); using "
                                + DEFAULT_LIMIT);
        return DEFAULT_LIMIT;
    }

    /**
     * Returns the stream that becomes {@code System.out} while a cell runs.
     *
     * @return stdout
     */
    PrintStream out() {
        return out;
    }

    /**
     * Returns the stream that becomes {@code System.err} while a cell runs.
     *
     * @return stderr
     */
    PrintStream err() {
        return err;
    }

    /**
     * Sends waiting text, then runs {@code publish} (a display message) while no text can pass it.
     *
     * @param publish publishes one message
     */
    synchronized void inOrder(Runnable publish) {
        flush();
        publish.run();
    }

    /**
     * Ends a cell: sends what waits, and if output was held back, the notice and the cell's last
     * lines.
     */
    synchronized void finishCell() {
        // PrintStream passes every write straight on, so nothing waits in out or err.
        flush();
        if (holding) {
            trimTail();
            long leftOut = heldChars - tailChars;
            long linesLeftOut =
                    heldLines
                            - tail.stream()
                                    .mapToLong(run -> newlines(run.text, 0, run.text.length()))
                                    .sum();
            sink.publish(
                    true,
                    String.format(
                            "[... %,d characters (%,d %s) of output left out ...]%n",
                            leftOut, linesLeftOut, linesLeftOut == 1 ? "line" : "lines"));
            Run joined = null;
            for (Run run : tail) {
                if (joined != null
                        && (joined.stderr != run.stderr
                                || joined.text.length() + run.text.length() > MESSAGE_CHARS)) {
                    sink.publish(joined.stderr, joined.text.toString());
                    joined = null;
                }
                if (joined == null) {
                    joined = new Run(run.stderr);
                }
                joined.text.append(run.text);
            }
            if (joined != null) {
                sink.publish(joined.stderr, joined.text.toString());
            }
        }
        holding = false;
        shown = 0;
        lastShown = '\n';
        tail.clear();
        spare.clear();
        tailChars = 0;
        heldChars = 0;
        heldLines = 0;
    }

    /**
     * Returns how many characters wait or are held back: bounded by the limit, whatever was
     * printed.
     *
     * @return characters kept in memory
     */
    synchronized long retainedChars() {
        return pendingChars + tailChars;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private synchronized void tick() {
        try {
            flush();
        } catch (RuntimeException | OutOfMemoryError e) {
            // A throw would cancel the timer for good; a cell that exhausted the heap is no reason.
            LOG.log(Level.WARNING, "could not send cell output", e);
        }
    }

    private synchronized void append(boolean stderr, CharSequence text) {
        int from = 0;
        while (from < text.length()) {
            if (holding) {
                hold(stderr, text, from);
                return;
            }
            long room = limit == 0 ? Long.MAX_VALUE : limit - shown;
            int take =
                    (int)
                            Math.min(
                                    text.length() - from,
                                    Math.min(room, MESSAGE_CHARS - pendingChars));
            if (take > 0) {
                addPending(stderr, text, from, from + take);
                lastShown = text.charAt(from + take - 1);
                shown += take;
                from += take;
            }
            if (pendingChars >= MESSAGE_CHARS) {
                flush();
            }
            if (limit > 0 && shown >= limit && from < text.length()) {
                flush();
                holding = true;
                beforeTail = lastShown;
                sink.publish(
                        true,
                        String.format(
                                "[This cell's output reached the limit of %,d characters: the rest"
                                    + " is held back and its last %,d characters are shown when the"
                                    + " cell ends. %s sets the limit.]%n",
                                limit, tailLimit, LIMIT_VARIABLE));
            }
        }
    }

    private void addPending(boolean stderr, CharSequence text, int from, int to) {
        Run run = pending.isEmpty() ? null : pending.get(pending.size() - 1);
        if (run == null || run.stderr != stderr) {
            run = null;
            if (pending.size() >= MAX_RUNS) {
                for (int i = pending.size() - 1; i >= 0 && run == null; i--) {
                    if (pending.get(i).stderr == stderr) {
                        run = pending.get(i);
                    }
                }
            }
            if (run == null) {
                run = new Run(stderr);
                pending.add(run);
            }
        }
        run.text.append(text, from, to);
        pendingChars += to - from;
    }

    private void flush() {
        for (Run run : pending) {
            sink.publish(run.stderr, run.text.toString());
        }
        pending.clear();
        pendingChars = 0;
    }

    /**
     * Keeps the end of what a cell prints beyond the limit, in pieces, dropping whole pieces in
     * front.
     */
    private void hold(boolean stderr, CharSequence text, int from) {
        heldChars += text.length() - from;
        heldLines += newlines(text, from, text.length());
        Run last = tail.peekLast();
        while (from < text.length()) {
            if (last == null || last.stderr != stderr || last.text.length() >= TAIL_PIECE) {
                last = spare.isEmpty() ? new Run(stderr) : spare.removeFirst();
                last.stderr = stderr;
                tail.addLast(last);
            }
            int take = Math.min(text.length() - from, TAIL_PIECE - last.text.length());
            last.text.append(text, from, from + take);
            from += take;
            tailChars += take;
        }
        while (tail.size() > 1
                && (tailChars - tail.peekFirst().text.length() >= tailLimit
                        || tail.size() > MAX_TAIL_PIECES)) {
            dropFront(tail.peekFirst().text.length());
        }
    }

    /** Cuts the kept end to the tail limit and to the start of a line, when it has one. */
    private void trimTail() {
        dropFront(Math.max(0, tailChars - tailLimit));
        if (beforeTail == '\n') {
            return;
        }
        long seen = 0;
        for (Run run : tail) {
            int newline = run.text.indexOf("\n");
            if (newline >= 0) {
                long cut = seen + newline + 1;
                if (cut < tailChars) {
                    dropFront(cut);
                }
                return;
            }
            seen += run.text.length();
        }
    }

    private void dropFront(long chars) {
        while (chars > 0) {
            StringBuilder first = tail.peekFirst().text;
            int cut = (int) Math.min(chars, first.length());
            beforeTail = first.charAt(cut - 1);
            first.delete(0, cut);
            chars -= cut;
            tailChars -= cut;
            if (first.length() == 0 && spare.size() < MAX_TAIL_PIECES) {
                spare.addLast(tail.removeFirst());
            } else if (first.length() == 0) {
                tail.removeFirst();
            }
        }
    }

    private static long newlines(CharSequence text, int from, int to) {
        long count = 0;
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == '\n') {
                count++;
            }
        }
        return count;
    }

    /** Bytes from a PrintStream, decoded as UTF-8 across writes (a character may arrive split). */
    private final class Decoding extends OutputStream {
        private final boolean stderr;
        private final CharsetDecoder decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE);
        private final ByteBuffer bytes = ByteBuffer.allocate(8192);
        private final CharBuffer chars = CharBuffer.allocate(8192);

        Decoding(boolean stderr) {
            this.stderr = stderr;
        }

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            while (len > 0) {
                int n = Math.min(len, bytes.remaining());
                bytes.put(b, off, n);
                off += n;
                len -= n;
                bytes.flip();
                CoderResult result;
                do {
                    result = decoder.decode(bytes, chars, false);
                    chars.flip();
                    append(stderr, chars);
                    chars.clear();
                } while (result.isOverflow());
                bytes.compact();
            }
        }
    }
}
