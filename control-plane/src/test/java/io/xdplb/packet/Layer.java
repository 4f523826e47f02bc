package io.xdplb.packet;

/** A decoded protocol layer. */
public sealed interface Layer permits IpPacket, Arp.Packet, Tcp.Segment, Udp.Datagram, Icmp.Message,
        Icmp6.Message, Layer.Raw {

    /** Bytes the parser does not decode further (unknown protocol, or cut short). */
    record Raw(int protocol, byte[] bytes) implements Layer {}

    /** The upper layer of an IP header with this protocol number; Raw when unknown or too short to decode. */
    static Layer decode(int protocol, byte[] b) {
        try {
            return switch (protocol) {
                case Ip.TCP -> b.length >= 20 ? Tcp.parse(b) : new Raw(protocol, b);
                case Ip.UDP -> b.length >= 8 ? Udp.parse(b) : new Raw(protocol, b);
                case Ip.ICMP -> b.length >= 8 ? Icmp.parse(b) : new Raw(protocol, b);
                case Ip.ICMPV6 -> b.length >= 8 ? Icmp6.parse(b) : new Raw(protocol, b);
                case Ip.IPIP, Ip.IPV6 -> IpPacket.parse(b);
                default -> new Raw(protocol, b);
            };
        } catch (RuntimeException e) {
            return new Raw(protocol, b); // a malformed upper layer stays raw bytes
        }
    }
}
