package dev.edgepopup.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.publish.PublishStatus;
import io.github.spencerpark.jupyter.messages.reply.CompleteReply;
import io.github.spencerpark.jupyter.messages.reply.ShutdownReply;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WireCodecTest {
    private static final String KEY = "8c0a3a5e-5b1f-4b59-a0c4-1f0d2a3c9e77";

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** An execute_request as jupyter_client frames it, signed with {@code signature}. */
    private static List<byte[]> frames(String signature, byte[]... signed) {
        List<byte[]> frames = new ArrayList<>();
        frames.add(utf8("client-identity"));
        frames.add(WireCodec.DELIMITER);
        frames.add(utf8(signature));
        for (byte[] part : signed) {
            frames.add(part);
        }
        return frames;
    }

    private static byte[][] executeRequest(String code) {
        String header =
                "{\"msg_id\":\""
                        + UUID.randomUUID()
                        + "\",\"username\":\"u\",\"session\":\"s\","
                        + "\"date\":\"2025-01-01T00:00:00.000000Z\","
                        + "\"msg_type\":\"execute_request\",\"version\":\"5.3\"}";
        String content =
                "{\"code\":\""
                        + code
                        + "\",\"silent\":false,\"store_history\":true,"
                        + "\"user_expressions\":{},\"allow_stdin\":false,\"stop_on_error\":true}";
        return new byte[][] {utf8(header), utf8("{}"), utf8("{}"), utf8(content)};
    }

    @Test
    void signsLikeHmacSha256Hex() throws Exception {
        // RFC-style test vector: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        WireCodec codec = new WireCodec("hmac-sha256", "key");
        assertEquals(
                "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
                codec.sign(utf8("The quick brown fox "), utf8("jumps over the lazy dog")));
    }

    @Test
    void acceptsASignedMessage() throws Exception {
        WireCodec codec = new WireCodec("hmac-sha256", KEY);
        byte[][] signed = executeRequest("1+1");
        Optional<Message<?>> message = codec.decode("shell", frames(codec.sign(signed), signed));
        assertTrue(message.isPresent());
        assertEquals(MessageType.EXECUTE_REQUEST, message.get().getHeader().getType());
        assertEquals("1+1", ((ExecuteRequest) message.get().getContent()).getCode());
        assertEquals(
                "client-identity",
                new String(message.get().getIdentities().get(0), StandardCharsets.UTF_8));
    }

    @Test
    void dropsWrongUnsignedAndOtherKeySignatures() throws Exception {
        WireCodec codec = new WireCodec("hmac-sha256", KEY);
        WireCodec other = new WireCodec("hmac-sha256", "another-key");
        byte[][] signed = executeRequest("1+1");
        String good = codec.sign(signed);
        String flipped = (good.charAt(0) == '0' ? "1" : "0") + good.substring(1);
        assertTrue(codec.decode("shell", frames(flipped, signed)).isEmpty());
        assertTrue(codec.decode("shell", frames("", signed)).isEmpty());
        assertTrue(codec.decode("shell", frames(other.sign(signed), signed)).isEmpty());
        assertTrue(codec.decode("shell", frames(good.toUpperCase(), signed)).isEmpty());
    }

    @Test
    void dropsTamperedContent() throws Exception {
        WireCodec codec = new WireCodec("hmac-sha256", KEY);
        byte[][] signed = executeRequest("1+1");
        String signature = codec.sign(signed);
        signed[3] = executeRequest("System.exit(1)")[3];
        assertTrue(codec.decode("shell", frames(signature, signed)).isEmpty());
    }

    @Test
    void dropsReplays() throws Exception {
        WireCodec codec = new WireCodec("hmac-sha256", KEY);
        byte[][] signed = executeRequest("1+1");
        List<byte[]> frames = frames(codec.sign(signed), signed);
        assertTrue(codec.decode("shell", frames).isPresent());
        assertTrue(codec.decode("shell", frames).isEmpty());
    }

    @Test
    void dropsMalformedMessages() throws Exception {
        WireCodec codec = new WireCodec("hmac-sha256", KEY);
        byte[][] signed = executeRequest("1+1");
        List<byte[]> noDelimiter = frames(codec.sign(signed), signed);
        noDelimiter.remove(1);
        assertTrue(codec.decode("shell", noDelimiter).isEmpty());
        List<byte[]> short_ = frames(codec.sign(signed), signed);
        short_.remove(short_.size() - 1);
        assertTrue(codec.decode("shell", short_).isEmpty());
        byte[][] badJson = {utf8("{not json"), utf8("{}"), utf8("{}"), utf8("{}")};
        assertTrue(codec.decode("shell", frames(codec.sign(badJson), badJson)).isEmpty());
    }

    @Test
    void repliesGetTheStatusTheProtocolRequires() throws Exception {
        WireCodec codec = new WireCodec("hmac-sha256", KEY);
        byte[][] signed = executeRequest("1+1");
        Message<?> request =
                codec.decode("control", frames(codec.sign(signed), signed)).orElseThrow();
        Message<?> shutdown =
                codec.withReplyStatus(
                        new Message<>(request, ShutdownReply.MESSAGE_TYPE, ShutdownReply.SHUTDOWN));
        JsonObject content = (JsonObject) shutdown.getContent();
        assertEquals("ok", content.get("status").getAsString());
        assertEquals(false, content.get("restart").getAsBoolean());
        assertSame(request.getIdentities(), shutdown.getIdentities());
        // Replies with a status, and non-replies, go out unchanged.
        Message<CompleteReply> complete =
                new Message<>(
                        request,
                        CompleteReply.MESSAGE_TYPE,
                        new CompleteReply(List.of(), 0, 0, Map.of()));
        assertSame(complete, codec.withReplyStatus(complete));
        Message<PublishStatus> idle =
                new Message<>(request, PublishStatus.MESSAGE_TYPE, PublishStatus.IDLE);
        assertSame(idle, codec.withReplyStatus(idle));
    }

    @Test
    void refusesAConnectionWithoutKey() {
        assertThrows(IllegalArgumentException.class, () -> new WireCodec("hmac-sha256", ""));
        assertThrows(IllegalArgumentException.class, () -> new WireCodec("none", KEY));
    }
}
