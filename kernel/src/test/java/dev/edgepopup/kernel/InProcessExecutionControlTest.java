package dev.edgepopup.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.SnippetEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InProcessExecutionControlTest {
    private JShell shell;
    private InProcessExecutionControl control;

    @BeforeEach
    void start() {
        AtomicReference<InProcessExecutionControl> created = new AtomicReference<>();
        shell =
                JShell.builder()
                        .executionEngine(
                                InProcessExecutionControl.provider(
                                        getClass().getClassLoader(), created::set),
                                Map.of())
                        .build();
        control = created.get();
    }

    @AfterEach
    void stop() {
        shell.close();
    }

    private SnippetEvent eval(String source) {
        List<SnippetEvent> events = shell.eval(source);
        return events.get(0);
    }

    @Test
    void keepsTheValueObject() {
        eval("StringBuilder sb = new StringBuilder(\"x\");");
        control.takeValue();
        eval("sb");
        Object value = control.takeValue();
        assertEquals(StringBuilder.class, value.getClass());
        eval("sb.append(\"y\")");
        assertSame(value, control.takeValue());
        assertEquals("xy", value.toString());
        assertNull(control.takeValue(), "taken once");
    }

    @Test
    void snippetsRunOnADaemonThreadWithTheSnippetLoader() {
        eval("Thread.currentThread()");
        Thread thread = (Thread) control.takeValue();
        assertEquals("jshell-snippets", thread.getName());
        assertEquals(true, thread.isDaemon());
        eval("class Local {}");
        eval("Local.class.getClassLoader() == Thread.currentThread().getContextClassLoader()");
        assertEquals(Boolean.TRUE, control.takeValue());
    }

    @Test
    void aStopBetweenSnippetsStopsTheNextOne() {
        control.stop();
        EvalException stopped = (EvalException) eval("1 + 1").exception();
        assertEquals("java.lang.InterruptedException", stopped.getExceptionClassName());
        assertNull(eval("2 + 2").exception(), "one stop stops one snippet");
        assertEquals(4, control.takeValue());
    }

    @Test
    void aStopTheSnippetNeverSawStopsTheNextOne() {
        // What stop() does while a snippet runs; the snippet ends without clearing the flag.
        assertNull(eval("Thread.currentThread().interrupt();").exception());
        EvalException stopped = (EvalException) eval("1 + 1").exception();
        assertEquals("java.lang.InterruptedException", stopped.getExceptionClassName());
        assertNull(eval("2 + 2").exception());
    }

    @Test
    void aStopTheSnippetClearedIsDone() {
        assertNull(
                eval("{ Thread.currentThread().interrupt(); Thread.interrupted(); }").exception());
        assertNull(eval("1 + 1").exception());
    }

    @Test
    void aClearedStopIsForgotten() {
        control.stop();
        control.clearPendingStop();
        assertNull(eval("3").exception());
    }
}
