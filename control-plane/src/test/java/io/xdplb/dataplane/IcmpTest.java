package io.xdplb.dataplane;

import io.xdplb.libbpf.TestRun;
import io.xdplb.model.Encap;
import io.xdplb.testing.RootOnly;
import io.xdplb.wire.Bytes;
import io.xdplb.wire.Checksum;
import io.xdplb.wire.Ip;
import io.xdplb.wire.Packets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.xdplb.dataplane.BalancerUnderTest.ACK_ONLY;
import static io.xdplb.dataplane.BalancerUnderTest.CLIENT4;
import static io.xdplb.dataplane.BalancerUnderTest.CLIENT6;
import static io.xdplb.dataplane.BalancerUnderTest.CLIENT_MAC;
import static io.xdplb.dataplane.BalancerUnderTest.OWN_MAC;
import static io.xdplb.dataplane.BalancerUnderTest.REALS4;
import static io.xdplb.dataplane.BalancerUnderTest.REALS6;
import static io.xdplb.dataplane.BalancerUnderTest.TX;
import static io.xdplb.dataplane.BalancerUnderTest.tcp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Echo to a VIP, path-MTU errors about a VIP's flows, and the too-big answers the director sends itself. */
@RootOnly
class IcmpTest {
    private static final String VIP4 = "203.0.113.10", VIP6 = "2001:db8:f::10";
    private static BalancerUnderTest lb;

    @BeforeAll
    static void load() {
        lb = new BalancerUnderTest();
        lb.vip(VIP4 + ":80/tcp", Encap.IPIP, REALS4);
        lb.vip("[" + VIP6 + "]:80/tcp", Encap.IPIP, REALS6);
    }

    @AfterAll
    static void close() {
        lb.close();
    }

    private static void repliedToClient(byte[] out) {
        assertArrayEquals(CLIENT_MAC, Bytes.slice(out, 0, 6), "back to the client's MAC");
        assertArrayEquals(OWN_MAC, Bytes.slice(out, 6, 12), "from our own MAC");
    }

    @Test
    void echoToAnIpv4VipIsAnswered() {
        byte[] s = Bytes.ip(CLIENT4), d = Bytes.ip(VIP4);
        byte[] data = Packets.bytes(56, 9);
        byte[] in = Packets.eth(OWN_MAC, CLIENT_MAC, Packets.ETH_IP, Packets.ipv4(s, d, Packets.ICMP, Packets.icmp4(8, 0, 0x12340001L, data)));
        long before = lb.stat("icmp_echo_reply").packets();
        TestRun.Result r = lb.run(in);
        assertEquals(TX, r.retval());
        byte[] out = r.data();
        repliedToClient(out);
        Ip ip = new Ip(out, 14);
        assertEquals(VIP4, ip.src());
        assertEquals(CLIENT4, ip.dst());
        assertTrue(ip.headerChecksumValid());
        int icmp = ip.payload();
        assertEquals(0, Bytes.u8(out, icmp), "echo reply");
        assertEquals(0x12340001L, Bytes.u32(out, icmp + 4), "id and sequence kept");
        assertArrayEquals(data, Bytes.slice(out, icmp + 8, icmp + 8 + data.length));
        assertTrue(Checksum.valid(Checksum.sum(out, icmp, 8 + data.length)), "ICMP checksum");
        assertEquals(before + 1, lb.stat("icmp_echo_reply").packets());
    }

    @Test
    void echoToAnIpv6VipIsAnswered() {
        byte[] s = Bytes.ip(CLIENT6), d = Bytes.ip(VIP6);
        byte[] data = Packets.bytes(57, 10);
        byte[] in = Packets.eth(OWN_MAC, CLIENT_MAC, Packets.ETH_IP6,
                Packets.ipv6(s, d, Packets.ICMP6, 0, Packets.icmp6(s, d, 128, 0, 0x56780002L, data)));
        TestRun.Result r = lb.run(in);
        assertEquals(TX, r.retval());
        byte[] out = r.data();
        repliedToClient(out);
        Ip ip = new Ip(out, 14);
        assertEquals(VIP6, ip.src());
        assertEquals(CLIENT6, ip.dst());
        assertEquals(129, Bytes.u8(out, 54), "echo reply");
        assertTrue(ip.l4ChecksumValid(54, 8 + data.length, Packets.ICMP6), "ICMPv6 checksum");
        assertArrayEquals(data, Bytes.slice(out, 62, 62 + data.length));
    }

    @Test
    void fragmentationNeededAboutAFlowGoesToThatFlowsReal() {
        String real = new Ip(lb.run(tcp(CLIENT4, 40100, VIP4, 80, ACK_ONLY)).data(), 14).dst();
        byte[] quotedSrc = Bytes.ip(VIP4), quotedDst = Bytes.ip(CLIENT4);
        byte[] quoted = Bytes.slice(Packets.ipv4(quotedSrc, quotedDst, Packets.TCP,
                Packets.tcp(quotedSrc, quotedDst, 80, 40100, ACK_ONLY, Packets.bytes(1200, 1))), 0, 28);
        byte[] router = Bytes.ip("192.0.2.1");
        byte[] in = Packets.eth(OWN_MAC, CLIENT_MAC, Packets.ETH_IP,
                Packets.ipv4(router, quotedSrc, Packets.ICMP, Packets.icmp4(3, 4, 1400, quoted)));
        long before = lb.stat("icmp_forwarded").packets();
        Ip outer = Encapsulated.check(lb.run(in), in, 14, false, REALS4);
        assertEquals(real, outer.dst(), "the real that owns the quoted flow");
        assertEquals(before + 1, lb.stat("icmp_forwarded").packets());
    }

    @Test
    void packetTooBigAboutAnIpv6FlowGoesToThatFlowsReal() {
        String real = new Ip(lb.run(tcp(CLIENT6, 40200, VIP6, 80, ACK_ONLY)).data(), 14).dst();
        byte[] qs = Bytes.ip(VIP6), qd = Bytes.ip(CLIENT6);
        byte[] quoted = Bytes.slice(Packets.ipv6(qs, qd, Packets.TCP, 0, Packets.tcp(qs, qd, 80, 40200, ACK_ONLY, new byte[0])), 0, 48);
        byte[] router = Bytes.ip("2001:db8:1::1");
        byte[] in = Packets.eth(OWN_MAC, CLIENT_MAC, Packets.ETH_IP6,
                Packets.ipv6(router, qs, Packets.ICMP6, 0, Packets.icmp6(router, qs, 2, 0, 1280, quoted)));
        Ip outer = Encapsulated.check(lb.run(in), in, 14, false, REALS6);
        assertEquals(real, outer.dst());
    }

    @Test
    void anIpv4PacketTooBigForTheTunnelGetsFragmentationNeeded() {
        byte[] in = tcp(CLIENT4, 40300, VIP4, 80, ACK_ONLY, 0, Packets.bytes(1450, 2)); // 1490 bytes of IP: 1510 with IPIP
        long before = lb.stat("too_big_sent").packets();
        TestRun.Result r = lb.run(in);
        assertEquals(TX, r.retval());
        byte[] out = r.data();
        repliedToClient(out);
        Ip ip = new Ip(out, 14);
        assertEquals(VIP4, ip.src());
        assertEquals(CLIENT4, ip.dst());
        assertEquals(Packets.ICMP, ip.proto());
        assertTrue(ip.headerChecksumValid());
        int icmp = ip.payload();
        assertEquals(3, Bytes.u8(out, icmp));
        assertEquals(4, Bytes.u8(out, icmp + 1));
        assertEquals(1500 - 20, Bytes.u16(out, icmp + 6), "next-hop MTU leaves room for IPIP");
        assertTrue(Checksum.valid(Checksum.sum(out, icmp, ip.totalLength() - 20)), "ICMP checksum");
        assertArrayEquals(Bytes.slice(in, 14, 14 + 28), Bytes.slice(out, icmp + 8, icmp + 36), "quotes the client's header");
        assertTrue(ip.totalLength() <= 576);
        assertEquals(before + 1, lb.stat("too_big_sent").packets());
    }

    @Test
    void anIpv6PacketTooBigForTheTunnelGetsPacketTooBig() {
        byte[] in = tcp(CLIENT6, 40400, VIP6, 80, ACK_ONLY, 0, Packets.bytes(1420, 3)); // 1480 bytes: 1520 with 6in6
        TestRun.Result r = lb.run(in);
        assertEquals(TX, r.retval());
        byte[] out = r.data();
        repliedToClient(out);
        Ip ip = new Ip(out, 14);
        assertEquals(VIP6, ip.src());
        assertEquals(CLIENT6, ip.dst());
        assertEquals(2, Bytes.u8(out, 54), "packet too big");
        assertEquals(1500 - 40, Bytes.u32(out, 58), "MTU leaves room for the IPv6 header");
        assertTrue(ip.l4ChecksumValid(54, ip.totalLength() - 40, Packets.ICMP6));
        assertTrue(ip.totalLength() <= 1280);
    }

    @Test
    void anOversizedIpv4PacketWithoutDfIsStillForwarded() {
        byte[] s = Bytes.ip(CLIENT4), d = Bytes.ip(VIP4);
        byte[] in = Packets.eth(OWN_MAC, CLIENT_MAC, Packets.ETH_IP, Packets.ipv4(s, d, Packets.TCP, 0, 0, new byte[0],
                Packets.tcp(s, d, 40500, 80, ACK_ONLY, Packets.bytes(1450, 4))));
        Encapsulated.check(lb.run(in), in, 14, false, REALS4);
    }
}
