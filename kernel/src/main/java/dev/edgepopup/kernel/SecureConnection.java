package dev.edgepopup.kernel;

import io.github.spencerpark.jupyter.channels.IOPubChannel;
import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellChannel;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageContext;
import io.github.spencerpark.jupyter.messages.publish.PublishStatus;
import java.security.GeneralSecurityException;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import org.zeromq.ZMQ;

/**
 * The kernel's five sockets, bound to the connection file's IP only, with every incoming message
 * checked by {@link WireCodec}.
 *
 * <p>It extends basekernel's {@link JupyterConnection} because {@code BaseKernel} registers its
 * handlers on one; basekernel's own channels (created by the super constructor, in a context of
 * their own) are never bound and are closed at the end.
 */
public final class SecureConnection extends JupyterConnection {
    private static final Logger LOG = Logger.getLogger(SecureConnection.class.getName());

    /** How long closing sockets may still deliver queued replies. */
    static final int LINGER_MS = 1000;

    /** Poll timeout of the socket threads: how fast they notice a shutdown. */
    static final long POLL_MS = 100;

    /** How long shutdown waits for a channel thread, e.g. a shell thread in a stuck cell. */
    private static final long JOIN_MS = 1000;

    private final KernelConnectionProperties properties;
    private final ZMQ.Context context = ZMQ.context(1);
    private final Heartbeat heartbeat;
    private final QueuedIOPubChannel iopub;
    private final SignedStdinChannel stdin;
    private final SignedShellChannel shell;
    private final SignedShellChannel control;
    private final CountDownLatch closed = new CountDownLatch(1);

    /**
     * Creates the sockets.
     *
     * @param properties the parsed connection file; it must have a key
     * @throws GeneralSecurityException if the signature scheme is unavailable
     */
    public SecureConnection(KernelConnectionProperties properties) throws GeneralSecurityException {
        super(properties);
        if (!"tcp".equals(properties.getTransport())) {
            throw new IllegalArgumentException(
                    "only the tcp transport is supported, not " + properties.getTransport());
        }
        this.properties = properties;
        WireCodec codec = new WireCodec(properties.getSignatureScheme(), properties.getKey());
        HMACGenerator signer = properties.createHMACGenerator();
        this.heartbeat = new Heartbeat(context);
        this.iopub = new QueuedIOPubChannel(context, signer);
        this.stdin = new SignedStdinChannel(context, signer, codec);
        this.shell = new SignedShellChannel(context, signer, codec, false, this);
        this.control = new SignedShellChannel(context, signer, codec, true, this);
    }

    /**
     * Formats a bind address on the connection file's IP.
     *
     * @param properties the connection file
     * @param port one of its ports
     * @return {@code tcp://ip:port}
     */
    static String address(KernelConnectionProperties properties, int port) {
        return properties.getTransport() + "://" + properties.getIp() + ":" + port;
    }

    /** Binds every socket, starts the channel threads and publishes the starting status. */
    @Override
    public void connect() {
        iopub.bind(properties);
        heartbeat.bind(properties);
        stdin.bind(properties);
        control.bind(properties);
        shell.bind(properties);
        iopub.sendMessage(new Message<>(null, PublishStatus.MESSAGE_TYPE, PublishStatus.STARTING));
        LOG.info(() -> "listening on " + properties.getIp());
    }

    @Override
    public IOPubChannel getIOPub() {
        return iopub;
    }

    @Override
    public ShellReplyEnvironment prepareReplyEnv(ShellChannel channel, MessageContext context) {
        // Protected constructor: an (empty) anonymous subclass may call it.
        return new ShellReplyEnvironment(channel, stdin, iopub, context) {};
    }

    /** Asks every channel to stop; {@link #waitUntilClose()} returns once they have. */
    @Override
    public void close() {
        shell.shutdown();
        control.shutdown();
        heartbeat.shutdown();
        stdin.shutdown();
        iopub.shutdown();
        closed.countDown();
    }

    /**
     * Blocks until {@link #close()}, then waits for the channel threads and releases ZeroMQ. A
     * shell thread stuck in a cell that ignores interrupts is left behind after {@value #JOIN_MS}
     * ms; the caller exits the JVM.
     */
    @Override
    public void waitUntilClose() {
        try {
            closed.await();
            boolean stopped =
                    control.join(JOIN_MS)
                            & heartbeat.join(JOIN_MS)
                            & stdin.join(JOIN_MS)
                            & iopub.join(JOIN_MS)
                            & shell.join(JOIN_MS);
            if (stopped) {
                context.close();
            } else {
                LOG.warning("a channel thread did not stop; exiting without closing ZeroMQ");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        super.close();
    }
}
