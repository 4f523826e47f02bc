package io.xdplb.packet;

import java.net.Inet6Address;
import java.net.InetAddress;

/** ICMPv6 (RFC 4443) and neighbour solicitation (RFC 4861 4.3); the checksum covers the pseudo-header. */
public final class Icmp6 {
    private Icmp6() {}

    public static final int DEST_UNREACH = 1, PACKET_TOO_BIG = 2, TIME_EXCEEDED = 3, ECHO_REQUEST = 128,
            ECHO_REPLY = 129, ROUTER_SOLICIT = 133, NEIGHBOR_SOLICIT = 135, NEIGHBOR_ADVERT = 136;

    public static Payload message(int type, int code, long rest, byte[] body) {
        return new Payload() {
            public int protocol() { return Ip.ICMPV6; }

            public byte[] encode(InetAddress src, InetAddress dst) {
                byte[] m = new byte[8 + body.length];
                m[0] = (byte) type;
                m[1] = (byte) code;
                Bytes.put32(m, 4, rest);
                System.arraycopy(body, 0, m, 8, body.length);
                Bytes.put16(m, 2, Checksum.transport(src, dst, Ip.ICMPV6, m));
                return m;
            }
        };
    }

    public static Payload echoRequest(int id, int seq, byte[] data) {
        return message(ECHO_REQUEST, 0, ((long) id << 16) | seq, data);
    }

    public static Payload packetTooBig(long mtu, byte[] quoted) {
        return message(PACKET_TOO_BIG, 0, mtu, quoted);
    }

    /** NS for target, with a source link-layer address option (type 1, length 1 = 8 bytes). */
    public static Payload neighborSolicitation(Inet6Address target, byte[] sourceMac) {
        byte[] body = new byte[16 + 8];
        System.arraycopy(target.getAddress(), 0, body, 0, 16);
        body[16] = 1;
        body[17] = 1;
        System.arraycopy(sourceMac, 0, body, 18, 6);
        return message(NEIGHBOR_SOLICIT, 0, 0, body);
    }

    /** The solicited-node multicast address of a (RFC 4291 2.7.1): ff02::1:ffXX:XXXX. */
    public static Inet6Address solicitedNode(Inet6Address a) {
        byte[] m = Bytes.hex("ff02 0000 0000 0000 0000 0001 ff00 0000");
        System.arraycopy(a.getAddress(), 13, m, 13, 3);
        return Bytes.ip6(m, 0);
    }

    public record Message(byte[] bytes, int type, int code, int checksum, long rest, byte[] body) implements Layer {
        public int echoId() { return (int) (rest >>> 16); }
        public int echoSeq() { return (int) rest & 0xffff; }
        public long mtu() { return rest; }
        public IpPacket quoted() { return IpPacket.parse(body); }
        public Inet6Address target() { return Bytes.ip6(body, 0); }
    }

    public static Message parse(byte[] b) {
        return new Message(b.clone(), b[0] & 0xff, b[1] & 0xff, Bytes.u16(b, 2), Bytes.u32(b, 4), Bytes.slice(b, 8, b.length));
    }
}
