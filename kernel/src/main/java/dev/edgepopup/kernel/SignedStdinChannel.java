package dev.edgepopup.kernel;

import io.github.spencerpark.jupyter.channels.StdinChannel;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageContext;
import io.github.spencerpark.jupyter.messages.reply.InputReply;
import io.github.spencerpark.jupyter.messages.request.InputRequest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.zeromq.ZMQ;

/**
 * The stdin ROUTER socket, for {@code System.in} reads in cells. The snippet thread asks; a thread
 * of its own owns the socket, so interrupting the snippet (while the user has not answered)
 * abandons the request instead of breaking the socket. Replies are checked by {@link WireCodec} and
 * matched to their request.
 */
final class SignedStdinChannel extends StdinChannel {
    private final WireCodec codec;
    private final ExecutorService owner =
            Executors.newSingleThreadExecutor(
                    task -> {
                        Thread thread = new Thread(task, "stdin");
                        thread.setDaemon(true);
                        return thread;
                    });
    private volatile boolean closing;

    SignedStdinChannel(ZMQ.Context context, HMACGenerator signer, WireCodec codec) {
        super(context, signer);
        this.codec = codec;
    }

    @Override
    public void bind(KernelConnectionProperties properties) {
        setLinger(SecureConnection.LINGER_MS);
        bind(SecureConnection.address(properties, properties.getStdinPort()));
    }

    @Override
    public String getInput(MessageContext context, String prompt, boolean isPasswordRequest) {
        AtomicBoolean abandoned = new AtomicBoolean();
        try {
            Future<String> answer =
                    owner.submit(() -> exchange(context, prompt, isPasswordRequest, abandoned));
            return answer.get();
        } catch (InterruptedException e) {
            abandoned.set(true);
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("input request interrupted"));
        } catch (ExecutionException e) {
            throw new UncheckedIOException(new IOException("input request failed", e.getCause()));
        } catch (RejectedExecutionException e) {
            throw new UncheckedIOException(new IOException("the kernel is shutting down", e));
        }
    }

    private String exchange(
            MessageContext context, String prompt, boolean password, AtomicBoolean abandoned) {
        Message<InputRequest> request =
                new Message<>(
                        context, InputRequest.MESSAGE_TYPE, new InputRequest(prompt, password));
        sendMessage(request);
        try (ZMQ.Poller poller = ctx.poller(1)) {
            poller.register(this, ZMQ.Poller.POLLIN);
            while (!abandoned.get() && !closing) {
                if (poller.poll(SecureConnection.POLL_MS) > 0) {
                    Optional<Message<?>> reply = codec.decode("stdin", WireCodec.receive(this));
                    // A late answer to an abandoned request is not the answer to this one.
                    if (reply.isPresent()
                            && reply.get().getContent() instanceof InputReply input
                            && reply.get().hasParentHeader()
                            && request.getHeader()
                                    .getId()
                                    .equals(reply.get().getParentHeader().getId())) {
                        return input.getValue() + System.lineSeparator();
                    }
                }
            }
        }
        throw new CancellationException("input request abandoned");
    }

    /** Abandons a pending request and closes the socket on its own thread. */
    void shutdown() {
        closing = true;
        owner.execute(this::close);
        owner.shutdown();
    }

    /**
     * Waits for the socket thread to finish.
     *
     * @param millis at most this long
     * @return whether it finished
     * @throws InterruptedException if the wait is interrupted
     */
    boolean join(long millis) throws InterruptedException {
        return owner.awaitTermination(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
}
