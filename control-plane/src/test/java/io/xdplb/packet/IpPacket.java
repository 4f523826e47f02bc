package io.xdplb.packet;

import java.net.InetAddress;

/** A decoded IPv4 or IPv6 packet, with what the two have in common. */
public sealed interface IpPacket extends Layer permits Ipv4.Packet, Ipv6.Packet {
    int version();

    InetAddress src();

    InetAddress dst();

    /** The destination the upper-layer checksum uses (IPv6: the last routing-header address). */
    default InetAddress pseudoHeaderDst() {
        return dst();
    }

    /** Length the header claims for the whole packet (IPv4 total length, 40 + IPv6 payload length). */
    int length();

    /** The whole packet as received, at most length() bytes. */
    byte[] bytes();

    /** Fewer bytes were present than length() says. */
    default boolean truncated() {
        return bytes().length < length();
    }

    /** Protocol of the upper layer (after IPv6 extension headers). */
    int upperProtocol();

    /** Offset of the upper layer inside bytes(). */
    int upperOffset();

    default byte[] upperBytes() {
        return Bytes.slice(bytes(), upperOffset(), bytes().length);
    }

    Layer upper();

    /** DSCP and ECN: the IPv4 TOS byte or the IPv6 traffic class. */
    int trafficClass();

    /** TTL or hop limit. */
    int ttl();

    /** Decodes an IP packet by its version nibble (bytes past the packet's own length are ignored). */
    static IpPacket parse(byte[] b) {
        if (b.length < 1) throw new IllegalArgumentException("empty IP packet");
        return switch ((b[0] & 0xff) >>> 4) {
            case 4 -> Ipv4.parse(b);
            case 6 -> Ipv6.parse(b);
            default -> throw new IllegalArgumentException("IP version " + ((b[0] & 0xff) >>> 4));
        };
    }

    default Tcp.Segment tcp() {
        return as(Tcp.Segment.class);
    }

    default Udp.Datagram udp() {
        return as(Udp.Datagram.class);
    }

    default Icmp.Message icmp() {
        return as(Icmp.Message.class);
    }

    default Icmp6.Message icmp6() {
        return as(Icmp6.Message.class);
    }

    /** The inner packet of IPIP / 6in6 / 4in6. */
    default IpPacket inner() {
        return as(IpPacket.class);
    }

    private <T> T as(Class<T> c) {
        if (!c.isInstance(upper())) {
            throw new AssertionError("expected " + c.getSimpleName() + " above IPv" + version() + " but found "
                    + upper().getClass().getSimpleName() + " (protocol " + upperProtocol() + ")");
        }
        return c.cast(upper());
    }

    /**
     * The upper layer's checksum is right: ICMP over its message, TCP/UDP/ICMPv6 with the
     * pseudo-header. A UDP checksum 0 over IPv4 means "none" and is accepted; over IPv6 it is not.
     */
    default boolean upperChecksumVerifies() {
        byte[] u = upperBytes();
        return switch (upperProtocol()) {
            case Ip.ICMP -> Checksum.verifies(u, 0, u.length);
            case Ip.UDP -> (version() == 4 && Bytes.u16(u, 6) == 0)
                    || Checksum.transportVerifies(src(), pseudoHeaderDst(), Ip.UDP, u);
            case Ip.TCP, Ip.ICMPV6 -> Checksum.transportVerifies(src(), pseudoHeaderDst(), upperProtocol(), u);
            default -> throw new IllegalStateException("protocol " + upperProtocol() + " has no checksum here");
        };
    }
}
