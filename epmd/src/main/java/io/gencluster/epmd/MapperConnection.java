package io.gencluster.epmd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One connection to the {@link PortMapper}, owned by its selector thread: the request read
 * without blocking (length first, then exactly that many bytes, so anything sent after a request
 * stays unread), then the reply written, then either closed or, for an accepted ALIVE2, held as
 * the registration.
 */
final class MapperConnection {

    enum Phase {
        /** Reading the request; must be complete by {@link PortMapper#REQUEST_DEADLINE_MS} after accept. */
        READING,
        /** Writing the reply; must be written by {@link PortMapper#EXCHANGE_DEADLINE_MS} after accept. */
        REPLYING,
        /** An accepted ALIVE2: held, without a deadline, until the node closes it or writes a byte. */
        REGISTERED
    }

    final SocketChannel channel;
    final SelectionKey key;
    final long acceptedNanos;
    Phase phase = Phase.READING;
    /** The name this connection registered, once its ALIVE2 is accepted. */
    String registered;
    private ByteBuffer head = ByteBuffer.allocate(2);
    private ByteBuffer body;
    private ByteBuffer reply;

    MapperConnection(SocketChannel channel, SelectionKey key, long acceptedNanos) {
        this.channel = channel;
        this.key = key;
        this.acceptedNanos = acceptedNanos;
    }

    /**
     * Reads what has arrived; the request (code and body) once it is whole, else null.
     *
     * @throws EpmdException a length outside 1..{@value EpmdCodec#MAX_REQUEST}
     * @throws EOFException the peer closed before the request was whole
     */
    byte[] readRequest() throws IOException {
        if (head.hasRemaining()) {
            if (channel.read(head) < 0) {
                throw new EOFException();
            }
            if (head.hasRemaining()) {
                return null;
            }
            int length = Short.toUnsignedInt(head.getShort(0));
            if (length < 1 || length > EpmdCodec.MAX_REQUEST) {
                throw new EpmdException("request length " + length + " outside 1.." + EpmdCodec.MAX_REQUEST);
            }
            body = ByteBuffer.allocate(length);
        }
        if (channel.read(body) < 0) {
            throw new EOFException();
        }
        return body.hasRemaining() ? null : body.array();
    }

    /** Starts writing {@code bytes}; whether all of them are written already. */
    boolean reply(byte[] bytes) throws IOException {
        reply = ByteBuffer.wrap(bytes);
        body = null;
        phase = Phase.REPLYING;
        return writeMore();
    }

    /** Writes what the socket takes; whether the reply is now written in full. */
    boolean writeMore() throws IOException {
        channel.write(reply);
        return !reply.hasRemaining();
    }

    /** The instant (System.nanoTime) by which this connection's exchange must have progressed, or Long.MAX_VALUE. */
    long deadlineNanos() {
        switch (phase) {
            case READING:
                return acceptedNanos + PortMapper.REQUEST_DEADLINE_MS * 1_000_000L;
            case REPLYING:
                return acceptedNanos + PortMapper.EXCHANGE_DEADLINE_MS * 1_000_000L;
            default:
                return Long.MAX_VALUE;
        }
    }

    void close() {
        key.cancel();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
