package dev.edgepopup.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DisplayTest {
    @AfterEach
    void detach() {
        Display.setSink(null);
    }

    @Test
    void withoutKernelShowAndUpdatePrintText() {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            Display.show(List.of(1, 2)).update("done");
        } finally {
            System.setOut(old);
        }
        assertEquals(
                "[1, 2]\ndone\n",
                out.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }

    @Test
    void sinkSeesShowAndUpdatesWithOneId() {
        List<String> calls = new ArrayList<>();
        Display.setSink(
                new Display.Sink() {
                    @Override
                    public void show(Object value, String displayId) {
                        calls.add("show " + value + " " + displayId);
                    }

                    @Override
                    public void update(Object value, String displayId) {
                        calls.add("update " + value + " " + displayId);
                    }
                });
        Display.Handle first = Display.show("a");
        first.update("b");
        Display.Handle second = Display.show("c");
        assertEquals(
                List.of("show a " + first.id(), "update b " + first.id(), "show c " + second.id()),
                calls);
        assertNotEquals(first.id(), second.id());
    }
}
