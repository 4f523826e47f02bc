package io.xdplb.packet;

import java.net.InetAddress;

/**
 * Something an IP header carries: its protocol number, and its bytes given the addresses of
 * the enclosing header (TCP, UDP and ICMPv6 checksums cover a pseudo-header).
 */
public interface Payload {
    int protocol();

    byte[] encode(InetAddress src, InetAddress dst);

    /** Bytes carried as they are, e.g. a hand-made or deliberately broken segment. */
    static Payload raw(int protocol, byte[] bytes) {
        return new Payload() {
            public int protocol() { return protocol; }
            public byte[] encode(InetAddress src, InetAddress dst) { return bytes.clone(); }
        };
    }
}
