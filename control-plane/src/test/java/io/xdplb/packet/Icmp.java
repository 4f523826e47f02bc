package io.xdplb.packet;

import java.net.InetAddress;

/** ICMP for IPv4 (RFC 792; next-hop MTU RFC 1191): echo and destination-unreachable. */
public final class Icmp {
    private Icmp() {}

    public static final int ECHO_REPLY = 0, DEST_UNREACH = 3, ECHO_REQUEST = 8, TIME_EXCEEDED = 11;
    public static final int CODE_FRAG_NEEDED = 4, CODE_PORT_UNREACH = 3;

    /** A message: type, code, the 4 "rest of header" bytes and the body; the checksum is computed. */
    public static Payload message(int type, int code, long rest, byte[] body) {
        return new Payload() {
            public int protocol() { return Ip.ICMP; }

            public byte[] encode(InetAddress src, InetAddress dst) {
                byte[] m = new byte[8 + body.length];
                m[0] = (byte) type;
                m[1] = (byte) code;
                Bytes.put32(m, 4, rest);
                System.arraycopy(body, 0, m, 8, body.length);
                Bytes.put16(m, 2, Checksum.compute(m, 0, m.length));
                return m;
            }
        };
    }

    public static Payload echoRequest(int id, int seq, byte[] data) {
        return message(ECHO_REQUEST, 0, ((long) id << 16) | seq, data);
    }

    /** Destination unreachable, fragmentation needed and DF set, with the next-hop MTU (RFC 1191 4). */
    public static Payload fragNeeded(int nextHopMtu, byte[] quoted) {
        return message(DEST_UNREACH, CODE_FRAG_NEEDED, nextHopMtu & 0xffff, quoted);
    }

    public record Message(byte[] bytes, int type, int code, int checksum, long rest, byte[] body) implements Layer {
        public int echoId() { return (int) (rest >>> 16); }
        public int echoSeq() { return (int) rest & 0xffff; }
        public int nextHopMtu() { return (int) rest & 0xffff; }
        /** The IP packet an error quotes (usually truncated). */
        public IpPacket quoted() { return IpPacket.parse(body); }
        public boolean checksumVerifies() { return Checksum.verifies(bytes, 0, bytes.length); }
    }

    public static Message parse(byte[] b) {
        return new Message(b.clone(), b[0] & 0xff, b[1] & 0xff, Bytes.u16(b, 2), Bytes.u32(b, 4), Bytes.slice(b, 8, b.length));
    }
}
