package dev.edgepopup.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ThreadsTest {
    @Test
    void theThreadCountChangesAtRunTime() {
        int before = Threads.get();
        try {
            Threads.set(1);
            assertEquals(1, Threads.get());
            Threads.set(2);
            assertEquals(2, Threads.get());
            assertThrows(IllegalArgumentException.class, () -> Threads.set(0));
        } finally {
            Threads.set(before);
        }
    }
}
