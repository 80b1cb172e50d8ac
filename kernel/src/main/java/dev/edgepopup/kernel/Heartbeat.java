package dev.edgepopup.kernel;

import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import java.util.List;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The heartbeat REP socket: echoes every ping, on its own thread so a busy cell never delays it.
 */
final class Heartbeat {
    private final ZMQ.Context context;
    private final ZMQ.Socket socket;
    private final Thread loop = new Thread(this::echo, "heartbeat");
    private volatile boolean running = true;

    Heartbeat(ZMQ.Context context) {
        this.context = context;
        this.socket = context.socket(SocketType.REP);
        loop.setDaemon(true);
    }

    void bind(KernelConnectionProperties properties) {
        socket.setLinger(0);
        socket.bind(SecureConnection.address(properties, properties.getHbPort()));
        loop.start();
    }

    void shutdown() {
        running = false;
    }

    boolean join(long millis) throws InterruptedException {
        loop.join(millis);
        return !loop.isAlive();
    }

    private void echo() {
        try (ZMQ.Poller poller = context.poller(1)) {
            poller.register(socket, ZMQ.Poller.POLLIN);
            while (running) {
                if (poller.poll(SecureConnection.POLL_MS) > 0) {
                    List<byte[]> ping = WireCodec.receive(socket);
                    for (int i = 0; i < ping.size(); i++) {
                        socket.send(ping.get(i), i + 1 < ping.size() ? ZMQ.SNDMORE : 0);
                    }
                }
            }
        } finally {
            socket.close();
        }
    }
}
