package dev.edgepopup.kernel;

import io.github.spencerpark.jupyter.channels.IOPubChannel;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.publish.PublishStatus;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.zeromq.ZMQ;

/**
 * The IOPub PUB socket, fed through a queue and sent by one thread. Cell output is published from
 * the snippet thread, which interrupts target; a ZeroMQ call on an interrupted thread would close
 * the socket's NIO channels, so that thread only enqueues (never blocks, never touches ZeroMQ), and
 * order is kept.
 */
final class QueuedIOPubChannel extends IOPubChannel {
    private static final Logger LOG = Logger.getLogger(QueuedIOPubChannel.class.getName());

    /** Queued by {@link #shutdown()}: everything before it is still sent. */
    private static final Message<?> END =
            new Message<>(null, PublishStatus.MESSAGE_TYPE, PublishStatus.IDLE);

    private final BlockingQueue<Message<?>> queue = new LinkedBlockingQueue<>();
    private final Thread sender = new Thread(this::drain, "iopub");

    QueuedIOPubChannel(ZMQ.Context context, HMACGenerator signer) {
        super(context, signer);
        sender.setDaemon(true);
    }

    @Override
    public void bind(KernelConnectionProperties properties) {
        setLinger(SecureConnection.LINGER_MS);
        bind(SecureConnection.address(properties, properties.getIopubPort()));
        sender.start();
    }

    /** Queues the message; safe from any thread, interrupted or not. */
    @Override
    public void sendMessage(Message<?> message) {
        queue.offer(message);
    }

    /** Sends what is queued, then closes the socket. */
    void shutdown() {
        queue.offer(END);
    }

    /**
     * Waits for the sender to finish.
     *
     * @param millis at most this long
     * @return whether it finished
     * @throws InterruptedException if the wait is interrupted
     */
    boolean join(long millis) throws InterruptedException {
        sender.join(millis);
        return !sender.isAlive();
    }

    private void drain() {
        try {
            for (Message<?> message = queue.take(); message != END; message = queue.take()) {
                try {
                    super.sendMessage(message);
                } catch (RuntimeException e) {
                    LOG.log(
                            Level.SEVERE,
                            "could not publish " + message.getHeader().getType().getName(),
                            e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }
}
