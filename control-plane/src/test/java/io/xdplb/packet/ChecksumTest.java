package io.xdplb.packet;

import org.junit.jupiter.api.Test;

import static io.xdplb.packet.Bytes.hex;
import static io.xdplb.packet.Bytes.v4;
import static io.xdplb.packet.Bytes.v6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checksum arithmetic against sums worked out by hand (shown in the comments). */
class ChecksumTest {

    @Test
    void rfc1071Section3Example() {
        // 0001 + f203 + f4f5 + f6f7 = 2ddf0 -> ddf0 + 2 = ddf2; checksum ~ddf2 = 220d
        byte[] b = hex("00 01 f2 03 f4 f5 f6 f7");
        assertEquals(0xddf2, Checksum.sum(b));
        assertEquals(0x220d, Checksum.compute(b, 0, b.length));
    }

    @Test
    void oddLengthPadsTheLastByteOnTheRight() {
        // 0102 + 0300 = 0402
        assertEquals(0x0402, Checksum.sum(hex("01 02 03")));
    }

    @Test
    void knownIpv4HeaderChecksum() {
        // 4500+0073+0000+4000+4011+c0a8+0001+c0a8+00c7 = 2479c -> 479e; ~479e = b861
        byte[] h = hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
        assertTrue(Checksum.ipv4HeaderVerifies(h, 0));
        h[10] = 0;
        h[11] = 0;
        assertEquals(0xb861, Checksum.compute(h, 0, 20));
        h[11] = 0x61; // b8 missing: wrong
        assertFalse(Checksum.ipv4HeaderVerifies(h, 0));
    }

    @Test
    void knownUdpOverIpv4Checksum() {
        // pseudo c000+0201+c000+0202+0011+000a = 1841e; UDP 04d2+0050+000a+6869 = 6d95;
        // 1841e + 6d95 = 1f1b3 -> f1b4; ~f1b4 = 0e4b
        byte[] u = hex("04d2 0050 000a 0000 6869");
        assertEquals(0x0e4b, Checksum.transport(v4("192.0.2.1"), v4("192.0.2.2"), Ip.UDP, u));
        byte[] built = Udp.builder().ports(1234, 80).data("hi".getBytes()).encode(v4("192.0.2.1"), v4("192.0.2.2"));
        assertEquals("04d20050000a0e4b6869", Bytes.hex(built));
        assertTrue(Udp.checksumVerifies(v4("192.0.2.1"), v4("192.0.2.2"), built));
        assertFalse(Udp.checksumVerifies(v4("192.0.2.1"), v4("192.0.2.3"), built), "pseudo-header covers the destination");
    }

    @Test
    void knownTcpSynChecksum() {
        // pseudo 0a00+0001+0a00+0002+0006+0014 = 141d; header 1234+0050+0001+5002+ffff = 16286 -> 6287;
        // 141d + 6287 = 76a4; ~76a4 = 895b
        byte[] seg = Tcp.builder().ports(0x1234, 80).seq(1).flags(Tcp.SYN).encode(v4("10.0.0.1"), v4("10.0.0.2"));
        assertEquals("1234005000000001000000005002ffff895b0000", Bytes.hex(seg));
    }

    @Test
    void knownUdpOverIpv6Checksum() {
        // pseudo ::1, ::1, length 8, next header 17: 1 + 1 + 8 + 11 = 1b; UDP 1 + 2 + 8 = b; ~26 = ffd9
        byte[] u = Udp.builder().ports(1, 2).encode(v6("::1"), v6("::1"));
        assertEquals("000100020008ffd9", Bytes.hex(u));
        u[6] = 0;
        u[7] = 0;
        assertFalse(Udp.checksumVerifies(v6("::1"), v6("::1"), u), "zero is no checksum only over IPv4");
        assertTrue(Udp.checksumVerifies(v4("192.0.2.1"), v4("192.0.2.2"), u));
    }

    @Test
    void knownIcmpEchoChecksum() {
        // 0800 + 0000 + 0001 + 0001 = 0802; ~0802 = f7fd
        byte[] m = Icmp.echoRequest(1, 1, new byte[0]).encode(null, null);
        assertEquals("0800f7fd00010001", Bytes.hex(m));
    }

    @Test
    void everySingleBitFlipIsDetected() {
        byte[] p = Ipv4.builder().src(v4("198.51.100.7")).dst(v4("203.0.113.9")).df(true).id(0x1234)
                .payload(Tcp.builder().ports(40000, 443).seq(7).flags(Tcp.ACK).data(Bytes.pattern(33))).build();
        Ipv4.Packet ip = Ipv4.parse(p);
        assertTrue(ip.headerChecksumVerifies());
        assertTrue(ip.upperChecksumVerifies());
        for (int bit = 0; bit < p.length * 8; bit++) {
            byte[] q = p.clone();
            q[bit / 8] ^= (byte) (1 << (bit % 8));
            if (bit / 8 < 20) {
                assertFalse(Checksum.ipv4HeaderVerifies(q, 0), "header bit " + bit);
            } else {
                assertFalse(Checksum.transportVerifies(ip.src(), ip.dst(), Ip.TCP, Bytes.slice(q, 20, q.length)),
                        "segment bit " + bit);
            }
        }
    }
}
