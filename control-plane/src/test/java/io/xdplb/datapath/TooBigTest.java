package io.xdplb.datapath;

import io.xdplb.packet.Bytes;
import io.xdplb.packet.Checksum;
import io.xdplb.packet.Ethernet;
import io.xdplb.packet.Icmp;
import io.xdplb.packet.Icmp6;
import io.xdplb.packet.Ip;
import io.xdplb.packet.Ipv4;
import io.xdplb.packet.Ipv6;
import io.xdplb.packet.Tcp;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.Test;

import static io.xdplb.datapath.Director.*;
import static io.xdplb.datapath.Stat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * lb_config.mtu: a packet that would be too big once encapsulated, and may not be fragmented, is
 * answered with ICMP frag-needed / ICMPv6 packet-too-big carrying mtu - overhead.
 */
@RootOnly
class TooBigTest extends DataPathTest {

    /** An IPv4 TCP packet of exactly totalLength bytes, DF as given. */
    private static byte[] tcp4(int totalLength, boolean df) {
        return Ipv4.builder().src(CLIENT4).dst(VIP4).df(df).tos(0x2e).id(0x1111)
                .payload(tcp(40000, 80, Tcp.ACK).data(Bytes.pattern(totalLength - 40))).build();
    }

    private static byte[] tcp6(int length) {
        return Ipv6.builder().src(CLIENT6).dst(VIP6).trafficClass(0x2e)
                .payload(tcp(40000, 80, Tcp.ACK).data(Bytes.pattern(length - 60))).build();
    }

    /** The documented reply: ICMP 3/4 from the VIP, quoting min(length, 548) bytes; MACs swapped. */
    private static byte[] fragNeeded(byte[] original, int mtu, int vlan) {
        byte[] ip = Ipv4.builder().src(VIP4).dst(CLIENT4).ttl(64)
                .payload(Icmp.fragNeeded(mtu, Bytes.slice(original, 0, Math.min(original.length, 548)))).build();
        return vlan < 0 ? Ethernet.frame(ROUTER_MAC, LB_MAC, Ethernet.IPV4, ip)
                : Ethernet.tagged(ROUTER_MAC, LB_MAC, vlan, Ethernet.IPV4, ip);
    }

    @Test
    void ipv4WithDfOverTheMtuGetsFragNeeded() {
        lb.vip(VIP4, 80, TCP, 2, IPIP, 0);
        lb.ring(2, 0, 1);
        lb.config(0, 1000);
        byte[] pkt = tcp4(981, true);                       // 981 + 20 > 1000
        Run r = lb.run(frame(pkt)).verdict(XDP_TX).counted(TOO_BIG_SENT, CONN_MISS, RING_USED).noVipOrRealCounted();
        assertEquals(14 + 576, r.out().length, "20 + 8 + 548 quoted bytes (RFC 1812 576-byte limit)");
        assertEquals(Bytes.hex(fragNeeded(pkt, 980, -1)), Bytes.hex(r.out()));
        Ipv4.Packet ip = r.frame().ipv4();
        assertEquals(0, ip.tos());
        assertEquals(0, ip.id());
        assertEquals(false, ip.df());
        assertEquals(Ip.ICMP, ip.protocol());
        assertTrue(ip.headerChecksumVerifies(), "IPv4 header checksum");
        assertTrue(Checksum.verifies(ip.upperBytes(), 0, ip.upperBytes().length), "ICMP checksum");
        assertEquals(980, ip.icmp().nextHopMtu(), "mtu - overhead");
        assertEquals(1, lb.maps.connTable.entries().size(), "real selection ran first (documented)");
    }

    @Test
    void theBoundaryIsInclusiveAndNoDfIsSentAnyway() {
        lb.vip(VIP4, 80, TCP, 2, IPIP, 0);
        lb.ring(2, 0, 1);
        lb.config(0, 1000);
        int h = FlowHash.of(CLIENT4, 40000, 80, 0);
        Run fits = lb.run(frame(tcp4(980, true))).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED).countedFor(2, 1);
        Tunnel.assertEncapsulated(fits, IPIP, realAddress(1));
        assertEquals(1000, fits.frame().ipv4().totalLength(), "exactly the MTU is fine");
        Run noDf = lb.run(frame(tcp4(1400, false))).verdict(XDP_TX).counted(TX, CONN_HIT).countedFor(2, 1);
        Tunnel.assertEncapsulated(noDf, IPIP, realAddress(1));
        lb.config(0, 0);
        Run noCheck = lb.run(frame(tcp4(1400, true))).verdict(XDP_TX).counted(TX, CONN_HIT);
        Tunnel.assertEncapsulated(noCheck, IPIP, realAddress(1));
    }

    @Test
    void smallQuoteWholePacketWithVlanAndGueOverhead() {
        lb.vip(VIP4, 80, TCP, 2, GUE, 0);
        lb.ring(2, 0, 3);
        lb.config(0, 200);                                  // GUE over IPv4: overhead 28
        byte[] pkt = tcp4(173, true);                       // 173 + 28 > 200
        Run r = lb.run(tagged(0x0abc, pkt)).verdict(XDP_TX).counted(TOO_BIG_SENT, CONN_MISS, RING_USED);
        assertEquals(Bytes.hex(fragNeeded(pkt, 172, 0x0abc)), Bytes.hex(r.out()), "the whole packet quoted, tag kept");
    }

    @Test
    void ipv6AlwaysGetsPacketTooBig() {
        lb.vip(VIP6, 80, TCP, 3, GUE, 0);
        lb.ring(3, 0, 4);
        lb.config(0, 1280);                                 // GUE over IPv6: overhead 48
        byte[] pkt = tcp6(1300);
        Run r = lb.run(frame(pkt)).verdict(XDP_TX).counted(TOO_BIG_SENT, CONN_MISS, RING_USED).noVipOrRealCounted();
        byte[] ip = Ipv6.builder().src(VIP6).dst(CLIENT6).hopLimit(64)
                .payload(Icmp6.packetTooBig(1232, Bytes.slice(pkt, 0, 1232))).build();
        assertEquals(1280, ip.length, "RFC 4443: at most the minimum MTU");
        assertEquals(Bytes.hex(Ethernet.frame(ROUTER_MAC, LB_MAC, Ethernet.IPV6, ip)), Bytes.hex(r.out()));
        Ipv6.Packet p = r.frame().ipv6();
        assertEquals(0, p.trafficClass());
        assertEquals(0, p.flowLabel());
        assertEquals(1232, p.icmp6().mtu());
        assertTrue(p.upperChecksumVerifies(), "ICMPv6 checksum with the pseudo-header");

        byte[] fits = tcp6(1232);
        Tunnel.assertEncapsulated(lb.run(frame(fits)).verdict(XDP_TX).counted(TX, CONN_HIT), GUE, realAddress(4));
    }

    @Test
    void ipv6ShortPacketIsQuotedWholeWithIpipOverhead() {
        lb.vip(VIP6, 80, TCP, 3, IPIP, 0);
        lb.ring(3, 0, 5);
        lb.config(0, 400);                                  // 6in6: overhead 40
        byte[] pkt = tcp6(361);
        Run r = lb.run(frame(pkt)).verdict(XDP_TX).counted(TOO_BIG_SENT, CONN_MISS, RING_USED);
        byte[] ip = Ipv6.builder().src(VIP6).dst(CLIENT6).hopLimit(64).payload(Icmp6.packetTooBig(360, pkt)).build();
        assertEquals(Bytes.hex(Ethernet.frame(ROUTER_MAC, LB_MAC, Ethernet.IPV6, ip)), Bytes.hex(r.out()));
    }
}
