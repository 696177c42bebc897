package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gencluster.dist.tcp.wire.BlockingWire;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.ProtocolException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The selector thread's reading of frames ({@link Connection#nextFrame}: a read buffer kept
 * between reads, frames as views of it, compacted only when it must take more) decodes exactly
 * what the stream decoder ({@link BlockingWire#read}) decodes from the same bytes, however the
 * network cuts them into reads, and fails on the same frame when they are bad. The first input
 * byte seeds the sizes of the reads.
 */
class SelectorReadFuzzTest {

    private static final int MAX_FRAME = 1 << 16;

    /** One decoded frame, or the failure that ended decoding. */
    private record Decoded(byte type, byte[] payload, String failure) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Decoded d && d.type == type && Arrays.equals(d.payload, payload)
                    && String.valueOf(d.failure).equals(String.valueOf(failure));
        }

        @Override
        public int hashCode() {
            return type;
        }

        @Override
        public String toString() {
            return failure != null ? "failure " + failure : "frame " + type + " of " + payload.length + " bytes";
        }
    }

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void framesReadInAnyCutsDecodeAsTheStreamDecoderDoes(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        byte[] wire = Arrays.copyOfRange(input, 1, input.length);
        assertEquals(stream(wire), selector(wire, new Random(input[0])));
    }

    private static List<Decoded> stream(byte[] wire) {
        List<Decoded> out = new ArrayList<>();
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(wire));
        while (true) {
            try {
                FrameCodec.Frame f = BlockingWire.read(in, MAX_FRAME);
                out.add(decoded(f, null));
            } catch (EOFException end) {
                return out; // a truncated last frame is simply not there yet
            } catch (IOException e) {
                out.add(new Decoded((byte) 0, null, e.getMessage()));
                return out;
            }
        }
    }

    private static List<Decoded> selector(byte[] wire, Random cuts) throws IOException {
        Connection c = new Connection(null, false, "fuzz", MAX_FRAME, Clock.systemUTC());
        ByteBuffer source = ByteBuffer.wrap(wire);
        c.link = new ReadOnlyLink(dst -> {
            if (!source.hasRemaining()) {
                return -1;
            }
            int n = Math.min(Math.min(dst.remaining(), source.remaining()), 1 + cuts.nextInt(cuts.nextBoolean() ? 7 : 5000));
            ByteBuffer piece = source.slice(source.position(), n);
            dst.put(piece);
            source.position(source.position() + n);
            return n;
        }, true); // as plain TCP: a read that left room ends the reading until the next readiness
        List<Decoded> out = new ArrayList<>();
        while (true) {
            FrameCodec.Frame f;
            try {
                f = c.nextFrame(MAX_FRAME);
            } catch (ProtocolException e) {
                out.add(new Decoded((byte) 0, null, e.getMessage()));
                return out;
            }
            if (f == null) {
                if (c.eof) {
                    return out;
                }
                c.drained = false; // the selector reports the socket readable again
                continue; // a read that ended mid-frame: the next one goes on
            }
            out.add(decoded(f, c));
        }
    }

    /**
     * The frame's bytes; on the selector path ({@code reader} given), a DATA frame's mailbox as
     * that connection reads it — keeping the last name and comparing bytes — checked against the
     * codec's decoding of the same field.
     */
    private static Decoded decoded(FrameCodec.Frame f, Connection reader) {
        ByteBuffer p = f.payload().duplicate();
        byte[] bytes = new byte[p.remaining()];
        p.get(bytes);
        if (reader != null && f.type() == FrameCodec.DATA) {
            String reference;
            try {
                reference = FrameCodec.getString(f.payload().duplicate());
            } catch (ProtocolException e) {
                reference = null; // too short for its mailbox field
            }
            String name;
            try {
                name = reader.mailboxName(f.payload().duplicate());
            } catch (ProtocolException e) {
                name = null;
            }
            assertEquals(reference, name);
        }
        return new Decoded(f.type(), bytes, null);
    }
}
