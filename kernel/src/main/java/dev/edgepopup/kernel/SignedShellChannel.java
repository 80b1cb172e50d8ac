package dev.edgepopup.kernel;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellChannel;
import io.github.spencerpark.jupyter.channels.ShellHandler;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The shell or control ROUTER socket: one thread reads whole messages, drops those {@link
 * WireCodec} rejects and runs the kernel's handler for the rest on that same thread, which also
 * owns the socket (ZeroMQ sockets are not thread-safe).
 */
final class SignedShellChannel extends ShellChannel {
    private static final Logger LOG = Logger.getLogger(SignedShellChannel.class.getName());

    private final WireCodec codec;
    private final boolean control;
    private final JupyterConnection connection;
    private final Thread loop;
    private volatile boolean running = true;

    SignedShellChannel(
            ZMQ.Context context,
            HMACGenerator signer,
            WireCodec codec,
            boolean control,
            JupyterConnection connection) {
        super(context, signer, control, connection);
        this.codec = codec;
        this.control = control;
        this.connection = connection;
        this.loop = new Thread(this::serve, control ? "control" : "shell");
        this.loop.setDaemon(true);
    }

    @Override
    public void bind(KernelConnectionProperties properties) {
        setLinger(SecureConnection.LINGER_MS);
        bind(
                SecureConnection.address(
                        properties,
                        control ? properties.getControlPort() : properties.getShellPort()));
        loop.start();
    }

    /** Sends a reply, with the status field basekernel leaves out of some. */
    @Override
    public synchronized void sendMessage(Message<?> message) {
        super.sendMessage(codec.withReplyStatus(message));
    }

    /** Asks the loop to stop; it closes the socket when it leaves. */
    void shutdown() {
        running = false;
    }

    /**
     * Waits for the loop to finish.
     *
     * @param millis at most this long
     * @return whether it finished
     * @throws InterruptedException if the wait is interrupted
     */
    boolean join(long millis) throws InterruptedException {
        loop.join(millis);
        return !loop.isAlive();
    }

    private void serve() {
        try (ZMQ.Poller poller = ctx.poller(1)) {
            poller.register(this, ZMQ.Poller.POLLIN);
            while (running) {
                if (poller.poll(SecureConnection.POLL_MS) > 0) {
                    List<byte[]> frames;
                    synchronized (this) {
                        frames = WireCodec.receive(this);
                    }
                    codec.decode(loop.getName(), frames).ifPresent(this::dispatch);
                }
            }
        } catch (ZMQException e) {
            LOG.log(Level.SEVERE, loop.getName() + " socket failed", e);
        } finally {
            close();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void dispatch(Message<?> message) {
        MessageType<?> type = message.getHeader().getType();
        ShellHandler handler = connection.getHandler(type);
        if (handler == null) {
            LOG.fine(() -> "no handler for " + type.getName());
            return;
        }
        ShellReplyEnvironment env = connection.prepareReplyEnv(this, message);
        try {
            handler.handle(env, message);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "handling " + type.getName() + " failed", e);
        } finally {
            env.resolveDeferrals();
        }
        if (env.isMarkedForShutdown()) {
            connection.close();
        }
    }
}
