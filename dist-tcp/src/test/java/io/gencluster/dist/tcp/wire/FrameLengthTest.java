package io.gencluster.dist.tcp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import io.gencluster.dist.tcp.TcpDistSettings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Frame lengths near the int range: refused or waited for, never a sum that overflows. */
class FrameLengthTest {

    private static ByteBuffer header(int length) {
        return ByteBuffer.allocate(16).putInt(length).put(FrameCodec.DATA).put(new byte[5]).flip();
    }

    @Test
    void aLengthNearIntegerMaxValueIsWaitedForWithoutOverflowWhateverTheLimit() throws Exception {
        for (int length : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 1, Integer.MAX_VALUE - 4}) {
            ByteBuffer in = header(length);
            assertNull(FrameCodec.next(in, Integer.MAX_VALUE, FrameCodec.viewOf(in)), "a frame of " + length + " bytes from 11");
            assertEquals(0, in.position(), "nothing consumed");
            assertEquals(Integer.MAX_VALUE, FrameCodec.needed(in), "bytes needed for a frame of " + length);
        }
    }

    @Test
    void aLengthAboveTheLimitIsRefusedOnItsLengthField() {
        for (int length : new int[] {Integer.MAX_VALUE, -1, Integer.MIN_VALUE, FrameCodec.MAX_FRAME_LIMIT + 1}) {
            ByteBuffer in = header(length);
            ProtocolException e = assertThrows(ProtocolException.class, () -> FrameCodec.next(in, FrameCodec.MAX_FRAME_LIMIT, FrameCodec.viewOf(in)));
            assertEquals("frame length out of range", e.kind());
            assertTrue(e.getMessage().contains(Integer.toUnsignedString(length)), e.getMessage());
        }
        assertTrue(FrameCodec.needed(header(-1)) > 0, "needed never negative");
    }

    @Test
    void maxFrameBytesHasAnUpperBound() {
        TcpDistSettings.Builder b = TcpDistSettings.builder(NodeName.parse("a@127.0.0.1"), "a-cookie-of-the-frame-length-test".getBytes(StandardCharsets.UTF_8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.maxFrameBytes(FrameCodec.MAX_FRAME_LIMIT + 1).sendQueueBytes(Integer.MAX_VALUE).build());
        assertTrue(e.getMessage().contains("max.frame.bytes") && e.getMessage().contains("67108865"), e.getMessage());
        b.maxFrameBytes(FrameCodec.MAX_FRAME_LIMIT).sendQueueBytes(FrameCodec.MAX_FRAME_LIMIT + 5).build();
    }
}
