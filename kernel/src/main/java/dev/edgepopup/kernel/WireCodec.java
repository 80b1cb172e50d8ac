package dev.edgepopup.kernel;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.reflect.TypeToken;
import io.github.spencerpark.jupyter.kernel.ExpressionValue;
import io.github.spencerpark.jupyter.kernel.history.HistoryEntry;
import io.github.spencerpark.jupyter.messages.Header;
import io.github.spencerpark.jupyter.messages.KernelTimestamp;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.ReplyType;
import io.github.spencerpark.jupyter.messages.adapters.ExpressionValueAdapter;
import io.github.spencerpark.jupyter.messages.adapters.HeaderAdapter;
import io.github.spencerpark.jupyter.messages.adapters.HistoryEntryAdapter;
import io.github.spencerpark.jupyter.messages.adapters.HistoryRequestAdapter;
import io.github.spencerpark.jupyter.messages.adapters.KernelTimestampAdapter;
import io.github.spencerpark.jupyter.messages.adapters.MessageTypeAdapter;
import io.github.spencerpark.jupyter.messages.adapters.PublishStatusAdapter;
import io.github.spencerpark.jupyter.messages.adapters.ReplyTypeAdapter;
import io.github.spencerpark.jupyter.messages.publish.PublishStatus;
import io.github.spencerpark.jupyter.messages.request.HistoryRequest;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.zeromq.ZMQ;

/**
 * Checks and parses incoming Jupyter wire messages.
 *
 * <p>basekernel 2.3.0 does check signatures, but a bad one throws out of its socket loop and kills
 * the shell thread (one forged packet stops the kernel), its comparison is not constant-time, and a
 * message with too few frames makes it read the next message's frames as its own. Here a message is
 * read whole, its HMAC compared in constant time, and anything unsigned, wrongly signed, replayed
 * or malformed is logged and dropped.
 */
final class WireCodec {
    private static final Logger LOG = Logger.getLogger(WireCodec.class.getName());

    /** Separates ZeroMQ routing identities from the signed message. */
    static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.US_ASCII);

    /** Signatures remembered to refuse replays, as jupyter_client's Session does. */
    private static final int REPLAY_MEMORY = 1 << 16;

    private static final Type JSON_MAP = new TypeToken<Map<String, Object>>() {}.getType();

    private final Mac mac;
    private final Gson gson;
    private final Map<String, Boolean> seen =
            new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REPLAY_MEMORY;
                }
            };

    /**
     * Creates a codec for a connection file's signing settings.
     *
     * @param scheme e.g. {@code hmac-sha256}
     * @param key the shared key; an empty key (no authentication) is refused
     * @throws GeneralSecurityException if the JVM lacks the algorithm
     */
    WireCodec(String scheme, String key) throws GeneralSecurityException {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException(
                    "the connection file has no key; refusing to accept unsigned messages");
        }
        if (scheme == null || !scheme.startsWith("hmac-")) {
            throw new IllegalArgumentException("unsupported signature scheme " + scheme);
        }
        String algorithm =
                "Hmac"
                        + scheme.substring("hmac-".length())
                                .replace("-", "")
                                .toUpperCase(Locale.ROOT);
        this.mac = Mac.getInstance(algorithm);
        this.mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
        Gson replyGson =
                new GsonBuilder()
                        .registerTypeAdapter(HistoryEntry.class, HistoryEntryAdapter.INSTANCE)
                        .registerTypeAdapter(ExpressionValue.class, ExpressionValueAdapter.INSTANCE)
                        .create();
        // The same adapters basekernel's JupyterSocket parses with.
        this.gson =
                new GsonBuilder()
                        .registerTypeAdapter(KernelTimestamp.class, KernelTimestampAdapter.INSTANCE)
                        .registerTypeAdapter(Header.class, HeaderAdapter.INSTANCE)
                        .registerTypeAdapter(MessageType.class, MessageTypeAdapter.INSTANCE)
                        .registerTypeAdapter(PublishStatus.class, PublishStatusAdapter.INSTANCE)
                        .registerTypeAdapter(HistoryRequest.class, HistoryRequestAdapter.INSTANCE)
                        .registerTypeHierarchyAdapter(
                                ReplyType.class, new ReplyTypeAdapter(replyGson))
                        .create();
    }

    /**
     * Reads all frames of the next message; the socket must be readable.
     *
     * @param socket a socket the poller reported readable
     * @return the frames
     */
    static List<byte[]> receive(ZMQ.Socket socket) {
        List<byte[]> frames = new ArrayList<>();
        do {
            frames.add(socket.recv(0));
        } while (socket.hasReceiveMore());
        return frames;
    }

    /**
     * Signs the four signed frames: header, parent header, metadata, content.
     *
     * @param parts the frames
     * @return the lowercase hex HMAC
     */
    synchronized String sign(byte[]... parts) {
        for (byte[] part : parts) {
            mac.update(part);
        }
        return HexFormat.of().formatHex(mac.doFinal());
    }

    /**
     * Verifies and parses one message.
     *
     * @param channel channel name for the log
     * @param frames all frames of the message
     * @return the message, or empty if it was dropped
     */
    Optional<Message<?>> decode(String channel, List<byte[]> frames) {
        int delimiter = -1;
        for (int i = 0; i < frames.size() && delimiter < 0; i++) {
            if (Arrays.equals(DELIMITER, frames.get(i))) {
                delimiter = i;
            }
        }
        if (delimiter < 0 || frames.size() < delimiter + 6) {
            return drop(channel, "malformed message (" + frames.size() + " frames)");
        }
        byte[] signature = frames.get(delimiter + 1);
        byte[] header = frames.get(delimiter + 2);
        byte[] parent = frames.get(delimiter + 3);
        byte[] metadata = frames.get(delimiter + 4);
        byte[] content = frames.get(delimiter + 5);
        byte[] expected =
                sign(header, parent, metadata, content).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature)) {
            return drop(channel, signature.length == 0 ? "unsigned message" : "wrong signature");
        }
        if (!firstSight(new String(signature, StandardCharsets.US_ASCII))) {
            return drop(channel, "replayed message");
        }
        try {
            return Optional.of(
                    parse(
                            frames.subList(0, delimiter),
                            header,
                            parent,
                            metadata,
                            content,
                            frames.subList(delimiter + 6, frames.size())));
        } catch (RuntimeException e) {
            return drop(channel, "unparseable message: " + e);
        }
    }

    /**
     * Adds {@code "status": "ok"} to a reply that lacks it: basekernel's kernel_info, shutdown,
     * interrupt, comm_info and history replies do, though the protocol requires it in every reply.
     *
     * @param message an outgoing shell or control message
     * @return the message, or a copy with the status added
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    Message<?> withReplyStatus(Message<?> message) {
        if (!message.getHeader().getType().getName().endsWith("_reply")) {
            return message;
        }
        JsonElement content = gson.toJsonTree(message.getContent());
        if (!content.isJsonObject() || content.getAsJsonObject().has("status")) {
            return message;
        }
        JsonObject withStatus = content.getAsJsonObject().deepCopy();
        withStatus.addProperty("status", "ok");
        return new Message(
                message.getIdentities(),
                message.getHeader(),
                message.getParentHeader(),
                message.getMetadata(),
                withStatus,
                message.getBlobs());
    }

    private synchronized boolean firstSight(String signature) {
        return seen.put(signature, Boolean.TRUE) == null;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Message<?> parse(
            List<byte[]> identities,
            byte[] headerRaw,
            byte[] parentRaw,
            byte[] metadataRaw,
            byte[] contentRaw,
            List<byte[]> blobs) {
        Header<?> header =
                gson.fromJson(new String(headerRaw, StandardCharsets.UTF_8), Header.class);
        JsonElement parentJson =
                JsonParser.parseString(new String(parentRaw, StandardCharsets.UTF_8));
        Header<?> parent =
                parentJson.isJsonObject() && parentJson.getAsJsonObject().size() > 0
                        ? gson.fromJson(parentJson, Header.class)
                        : null;
        Map<String, Object> metadata =
                gson.fromJson(new String(metadataRaw, StandardCharsets.UTF_8), JSON_MAP);
        Object content =
                gson.fromJson(
                        new String(contentRaw, StandardCharsets.UTF_8),
                        header.getType().getContentType());
        return new Message(
                List.copyOf(identities), header, parent, metadata, content, new ArrayList<>(blobs));
    }

    private static Optional<Message<?>> drop(String channel, String why) {
        LOG.warning(() -> "dropped " + why + " on " + channel);
        return Optional.empty();
    }
}
