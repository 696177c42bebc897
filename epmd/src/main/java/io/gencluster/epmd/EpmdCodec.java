package io.gencluster.epmd;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The EPMD wire format (Erlang's port mapper daemon), in one place. Integers are big-endian.
 *
 * <pre>
 * request          = length:u16 code:u8 body      (length counts code+body; one request per connection)
 * ALIVE2_REQ  120  port:u16 type:u8 protocol:u8 highest:u16 lowest:u16 nlen:u16 name elen:u16 extra
 * ALIVE2_X_RESP 118  result:u8 creation:u32      (no length prefix, as every reply; for highest >= 6)
 * ALIVE2_RESP 121  result:u8 creation:u16        (older nodes)
 * PORT_PLEASE2_REQ 122  name                     (the part before '@')
 * PORT2_RESP  119  result:u8 [port:u16 type:u8 protocol:u8 highest:u16 lowest:u16 nlen:u16 name elen:u16 extra]
 * NAMES_REQ   110                                 reply: epmd-port:u32 then "name N at port P\n"... to EOF
 * DUMP_REQ    100                                 reply: epmd-port:u32 then "active name ..." lines, to EOF
 * </pre>
 *
 * EPMD answers DUMP (its {@code epmd -dump}); the embedded {@link PortMapper} closes it without a
 * reply. That is how a node tells a real EPMD from another node's embedded port mapper, with a
 * request every EPMD understands and that changes nothing.
 *
 * The ALIVE2 connection stays open: the registration lives exactly as long as it does, and any
 * byte written to it afterwards unregisters the node. NAMES lines are not escaped (a name may hold
 * spaces), so a line is split at its last {@code " at port "}. Every read here is bounded: replies
 * larger than {@link #MAX_NAMES_REPLY}, truncated replies and malformed fields are errors that say
 * what was wrong, never hangs (the socket's read timeout bounds the wait).
 */
@ProviderType
public final class EpmdCodec {

    public static final int ALIVE2_REQ = 120;
    public static final int ALIVE2_X_RESP = 118;
    public static final int ALIVE2_RESP = 121;
    public static final int PORT_PLEASE2_REQ = 122;
    public static final int PORT2_RESP = 119;
    public static final int NAMES_REQ = 110;
    public static final int DUMP_REQ = 100;

    /** Longest name (EPMD's MAXSYMLEN is 255 characters) and extra field (1020 bytes) EPMD accepts. */
    public static final int MAX_NAME_BYTES = 1020;
    public static final int MAX_EXTRA_BYTES = 1020;
    /** Largest request EPMD accepts (INBUF_SIZE − 2); also what our port mapper accepts. */
    public static final int MAX_REQUEST = 3058;
    /** Largest NAMES reply read: 1 MiB is over ten thousand names. */
    public static final int MAX_NAMES_REPLY = 1 << 20;

    private static final String AT_PORT = " at port ";

    private EpmdCodec() {
    }

    public static byte[] alive2Request(NodeEntry e) {
        byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
        byte[] extra = e.extra();
        ByteBuffer b = ByteBuffer.allocate(2 + 13 + name.length + extra.length);
        b.putShort((short) (13 + name.length + extra.length));
        b.put((byte) ALIVE2_REQ).putShort((short) e.port).put((byte) e.nodeType).put((byte) e.protocol)
                .putShort((short) e.highestVersion).putShort((short) e.lowestVersion)
                .putShort((short) name.length).put(name).putShort((short) extra.length).put(extra);
        return b.array();
    }

    public static byte[] portPlease2Request(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(3 + n.length);
        b.putShort((short) (1 + n.length)).put((byte) PORT_PLEASE2_REQ).put(n);
        return b.array();
    }

    public static byte[] namesRequest() {
        return new byte[] {0, 1, (byte) NAMES_REQ};
    }

    public static byte[] dumpRequest() {
        return new byte[] {0, 1, (byte) DUMP_REQ};
    }

    /** Reads ALIVE2_X_RESP or ALIVE2_RESP; returns the creation, or throws if EPMD refused. */
    public static long readAlive2Response(InputStream in, String name) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int tag = readTag(d, "ALIVE2 reply for " + name);
        int result;
        long creation;
        if (tag == ALIVE2_X_RESP) {
            result = d.readUnsignedByte();
            creation = Integer.toUnsignedLong(d.readInt());
        } else if (tag == ALIVE2_RESP) {
            result = d.readUnsignedByte();
            creation = d.readUnsignedShort();
        } else {
            throw new EpmdException("ALIVE2 reply for " + name + " starts with " + tag + ", expected 118 or 121");
        }
        if (result != 0) {
            throw new EpmdException("EPMD refused to register " + name + " (result " + result
                    + "): the name is in use by another node");
        }
        return creation;
    }

    /** Decodes a whole PORT2_RESP; null when EPMD does not know the name. */
    public static NodeEntry parsePort2Response(byte[] reply, String name) throws EpmdException {
        ByteBuffer b = ByteBuffer.wrap(reply);
        try {
            int tag = Byte.toUnsignedInt(b.get());
            if (tag != PORT2_RESP) {
                throw new EpmdException("PORT_PLEASE2 reply for " + name + " starts with " + tag + ", expected 119");
            }
            int result = Byte.toUnsignedInt(b.get());
            if (result != 0) {
                return null;
            }
            int port = Short.toUnsignedInt(b.getShort());
            int type = Byte.toUnsignedInt(b.get());
            int protocol = Byte.toUnsignedInt(b.get());
            int high = Short.toUnsignedInt(b.getShort());
            int low = Short.toUnsignedInt(b.getShort());
            String n = utf8(bytes(b, Short.toUnsignedInt(b.getShort())), "name");
            byte[] extra = bytes(b, Short.toUnsignedInt(b.getShort()));
            if (port == 0) {
                throw new EpmdException("PORT_PLEASE2 reply for " + name + " gives port 0");
            }
            return new NodeEntry(n, port, type, protocol, high, low, extra);
        } catch (BufferUnderflowException e) {
            throw new EpmdException("PORT_PLEASE2 reply for " + name + " is truncated (" + reply.length + " bytes)");
        }
    }

    /** Decodes a whole NAMES reply into name → port, in EPMD's order. */
    public static Map<String, Integer> parseNamesResponse(byte[] reply, String host) throws EpmdException {
        if (reply.length < 4) {
            throw new EpmdException("NAMES reply from " + host + " is truncated (" + reply.length + " bytes)");
        }
        String text = utf8(java.util.Arrays.copyOfRange(reply, 4, reply.length), "NAMES reply from " + host);
        Map<String, Integer> names = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return names;
        }
        if (!text.endsWith("\n")) {
            throw new EpmdException("NAMES reply from " + host + " is truncated: last line '" + last(text) + "' has no end");
        }
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            int at = line.lastIndexOf(AT_PORT);
            if (!line.startsWith("name ") || at < 5) {
                throw new EpmdException("NAMES reply from " + host + " has a malformed line '" + line + "'");
            }
            String portText = line.substring(at + AT_PORT.length());
            int port;
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new EpmdException("NAMES reply from " + host + " has a bad port '" + portText + "' in line '" + line + "'");
            }
            names.put(line.substring(5, at), port);
        }
        return names;
    }

    /** Reads to EOF, at most {@code max} bytes. */
    public static byte[] readToEnd(InputStream in, int max, String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (out.size() + n > max) {
                throw new EpmdException(what + " is longer than " + max + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Reads one request (length-prefixed), as the port mapper does. */
    public static byte[] readRequest(DataInputStream in) throws IOException {
        int length = in.readUnsignedShort();
        if (length < 1 || length > MAX_REQUEST) {
            throw new EpmdException("request length " + length + " outside 1.." + MAX_REQUEST);
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return body;
    }

    /** Decodes the body of an ALIVE2_REQ (code included), for the port mapper. */
    public static NodeEntry parseAlive2Request(byte[] body) throws EpmdException {
        ByteBuffer b = ByteBuffer.wrap(body);
        try {
            b.get(); // code
            int port = Short.toUnsignedInt(b.getShort());
            int type = Byte.toUnsignedInt(b.get());
            int protocol = Byte.toUnsignedInt(b.get());
            int high = Short.toUnsignedInt(b.getShort());
            int low = Short.toUnsignedInt(b.getShort());
            int nlen = Short.toUnsignedInt(b.getShort());
            if (nlen == 0 || nlen > MAX_NAME_BYTES) {
                throw new EpmdException("ALIVE2 name length " + nlen + " outside 1.." + MAX_NAME_BYTES);
            }
            String name = utf8(bytes(b, nlen), "ALIVE2 name");
            if (name.indexOf('\0') >= 0 || name.indexOf('\n') >= 0) {
                throw new EpmdException("ALIVE2 name contains NUL or a newline");
            }
            int elen = Short.toUnsignedInt(b.getShort());
            if (elen > MAX_EXTRA_BYTES) {
                throw new EpmdException("ALIVE2 extra length " + elen + " over " + MAX_EXTRA_BYTES);
            }
            byte[] extra = bytes(b, elen);
            if (b.hasRemaining()) {
                throw new EpmdException("ALIVE2 request has " + b.remaining() + " bytes after its extra field");
            }
            return new NodeEntry(name, port, type, protocol, high, low, extra);
        } catch (BufferUnderflowException e) {
            throw new EpmdException("ALIVE2 request is truncated (" + body.length + " bytes)");
        }
    }

    public static byte[] alive2Response(boolean ok, long creation) {
        ByteBuffer b = ByteBuffer.allocate(6);
        b.put((byte) ALIVE2_X_RESP).put((byte) (ok ? 0 : 1)).putInt((int) creation);
        return b.array();
    }

    public static byte[] port2Response(NodeEntry e) {
        if (e == null) {
            return new byte[] {(byte) PORT2_RESP, 1};
        }
        byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
        byte[] extra = e.extra();
        ByteBuffer b = ByteBuffer.allocate(14 + name.length + extra.length);
        b.put((byte) PORT2_RESP).put((byte) 0).putShort((short) e.port).put((byte) e.nodeType).put((byte) e.protocol)
                .putShort((short) e.highestVersion).putShort((short) e.lowestVersion)
                .putShort((short) name.length).put(name).putShort((short) extra.length).put(extra);
        return b.array();
    }

    public static byte[] namesResponse(int epmdPort, List<NodeEntry> entries) {
        StringBuilder s = new StringBuilder();
        for (NodeEntry e : entries) {
            s.append("name ").append(e.name).append(AT_PORT).append(e.port).append('\n');
        }
        byte[] text = s.toString().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + text.length).putInt(epmdPort).put(text).array();
    }

    private static int readTag(DataInputStream d, String what) throws IOException {
        int tag = d.read();
        if (tag < 0) {
            throw new EOFException(what + ": connection closed without a reply");
        }
        return tag;
    }

    private static byte[] bytes(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static String utf8(byte[] bytes, String what) throws EpmdException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new EpmdException(what + " is not valid UTF-8");
        }
    }

    private static String last(String text) {
        int nl = text.lastIndexOf('\n');
        String l = text.substring(nl + 1);
        return l.length() > 80 ? l.substring(0, 80) + "..." : l;
    }
}
