package io.xdplb.datapath;

import io.xdplb.packet.Bytes;
import io.xdplb.packet.Tcp;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.Test;

import static io.xdplb.datapath.Director.*;
import static io.xdplb.datapath.Stat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** IPIP: 4in4, 6in6, 4in6, and 6in4 (refused); every output byte checked by Tunnel. */
@RootOnly
class EncapIpipTest extends DataPathTest {

    @Test
    void fourInFour() {
        lb.vip(VIP4, 80, TCP, 3, IPIP, 0);
        lb.ring(3, 0, REALS4);
        byte[] in = frame(ip(CLIENT4, VIP4, 0xb9, tcp(40001, 80, Tcp.ACK | Tcp.PSH)));
        int h = FlowHash.of(CLIENT4, 40001, 80, 0);
        int real = ringChoice(h, REALS4);
        Run r = lb.run(in).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED).countedFor(3, real);
        Tunnel.assertEncapsulated(r, IPIP, realAddress(real));
        assertEquals(4, r.frame().ip().upperProtocol(), "protocol 4 (IPIP)");
    }

    @Test
    void sixInSix() {
        lb.vip(VIP6, 443, TCP, 5, IPIP, 0);
        lb.ring(5, 0, REALS6);
        byte[] in = frame(ip(CLIENT6, VIP6, 0x6d, tcp(50000, 443, Tcp.ACK)));
        int h = FlowHash.of(CLIENT6, 50000, 443, 0);
        int real = ringChoice(h, REALS6);
        Run r = lb.run(in).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED).countedFor(5, real);
        Tunnel.assertEncapsulated(r, IPIP, realAddress(real));
        assertEquals(41, r.frame().ip().upperProtocol(), "next header 41 (IPv6)");
    }

    @Test
    void fourInSix() {
        lb.vip(VIP4, 53, UDP, 2, IPIP, 0);
        lb.ring(2, 0, REALS6);
        byte[] in = frame(ip(CLIENT4, VIP4, 0x04, udp(33000, 53)));
        int h = FlowHash.of(CLIENT4, 33000, 53, 0);
        int real = ringChoice(h, REALS6);
        Run r = lb.run(in).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED).countedFor(2, real);
        Tunnel.assertEncapsulated(r, IPIP, realAddress(real));
        assertEquals(4, r.frame().ipv6().nextHeader(), "IPv4 in IPv6: next header 4");
    }

    @Test
    void sixInFourIsRefused() {
        // docs/datapath.md: IPIP with an IPv6 inner packet and an IPv4 real is DROP_UNSUPPORTED
        // (only GUE carries IPv6 over IPv4). The real was already chosen, so CONN_MISS/RING_USED count.
        lb.vip(VIP6, 80, TCP, 1, IPIP, 0);
        lb.ring(1, 0, REALS4);
        lb.run(frame(ip(CLIENT6, VIP6, 0, tcp(1234, 80, Tcp.ACK)))).verdict(XDP_DROP)
                .counted(DROP_UNSUPPORTED, CONN_MISS, RING_USED).noVipOrRealCounted();
    }

    @Test
    void mixedFamilyRingSendsEachFlowByItsRealsFamily() {
        lb.vip(VIP4, 80, TCP, 4, IPIP, 0);
        int[] mixed = {1, 4, 2, 5};
        lb.ring(4, 0, mixed);
        boolean saw4 = false, saw6 = false;
        for (int sport = 20000; sport < 20040; sport++) {
            int h = FlowHash.of(CLIENT4, sport, 80, 0);
            int real = ringChoice(h, mixed);
            Run r = lb.run(tcpFrame(CLIENT4, sport, VIP4, 80)).verdict(XDP_TX).countedFor(4, real);
            Tunnel.assertEncapsulated(r, IPIP, realAddress(real));
            saw4 |= real <= 3;
            saw6 |= real >= 4;
        }
        assertEquals(true, saw4 && saw6, "40 flows reached reals of both families");
    }

    @Test
    void vlanTagIsKept() {
        lb.vip(VIP4, 80, TCP, 3, IPIP, 0);
        lb.ring(3, 0, 2);
        byte[] in = tagged(0xa07b, ip(CLIENT4, VIP4, 0, tcp(40002, 80, Tcp.ACK)));
        Run r = lb.run(in).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED).countedFor(3, 2);
        Tunnel.assertEncapsulated(r, IPIP, realAddress(2), FlowHash.entropy(CLIENT4, 40002, 80, 0));
        assertEquals("8100a07b0800", Bytes.hex(Bytes.slice(r.out(), 12, 18)));
    }

    @Test
    void ethernetPaddingIsCarriedButNotCounted() {
        lb.vip(VIP4, 53, UDP, 3, IPIP, 0);
        lb.ring(3, 0, 1);
        byte[] ip = ip(CLIENT4, VIP4, 0, udp(5353, 53).data(new byte[2]));
        byte[] in = Bytes.concat(frame(ip), Bytes.hex("a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5"));
        assertEquals(60, in.length);
        Run r = lb.run(in).verdict(XDP_TX).countedFor(3, 1);
        Tunnel.assertEncapsulated(r, IPIP, realAddress(1), FlowHash.entropy(CLIENT4, 5353, 53, 0));
        assertEquals(20 + 30, r.frame().ipv4().totalLength(), "outer total length excludes the padding");
    }

    @Test
    void dscpAndEcnAreCopiedForEveryValue() {
        lb.vip(VIP4, 80, TCP, 3, IPIP, 0);
        lb.vip(VIP6, 80, TCP, 4, IPIP, 0);
        lb.ring(3, 0, 1);
        lb.ring(4, 0, 5);
        for (int tos : new int[] {0x00, 0x01, 0x02, 0x03, 0x28, 0xb8, 0xfc, 0xff}) {
            Run r4 = lb.run(frame(ip(CLIENT4, VIP4, tos, tcp(1000 + tos, 80, Tcp.ACK)))).verdict(XDP_TX);
            assertEquals(tos, Bytes.u8(r4.out(), 15), "outer IPv4 TOS for " + tos);
            Tunnel.assertEncapsulated(r4, IPIP, realAddress(1), FlowHash.entropy(CLIENT4, 1000 + tos, 80, 0));
            Run r6 = lb.run(frame(ip(CLIENT6, VIP6, tos, tcp(1000 + tos, 80, Tcp.ACK)))).verdict(XDP_TX);
            assertEquals(tos, (int) (Bytes.u32(r6.out(), 14) >>> 20) & 0xff, "outer traffic class for " + tos);
            Tunnel.assertEncapsulated(r6, IPIP, realAddress(5), FlowHash.entropy(CLIENT6, 1000 + tos, 80, 0));
        }
    }
}
