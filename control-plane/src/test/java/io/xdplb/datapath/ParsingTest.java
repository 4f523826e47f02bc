package io.xdplb.datapath;

import io.xdplb.packet.Arp;
import io.xdplb.packet.Bytes;
import io.xdplb.packet.Ethernet;
import io.xdplb.packet.Icmp6;
import io.xdplb.packet.Ip;
import io.xdplb.packet.Ipv4;
import io.xdplb.packet.Ipv6;
import io.xdplb.packet.Payload;
import io.xdplb.packet.Tcp;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.Test;

import static io.xdplb.datapath.Director.*;
import static io.xdplb.datapath.Stat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the director owns and what it leaves to the kernel: pass-through, options, extension headers, fragments. */
@RootOnly
class ParsingTest extends DataPathTest {

    private void vips() {
        lb.vip(VIP4, 80, TCP, 1, IPIP, 0);
        lb.vip(VIP6, 80, TCP, 2, IPIP, 0);
        lb.ring(1, 0, REALS4);
        lb.ring(2, 0, REALS6);
    }

    @Test
    void ipv4NotForAVipPassesUntouched() {
        vips();
        lb.run(tcpFrame(CLIENT4, 1000, Bytes.v4("203.0.113.99"), 80)).passedUntouched().counted(PASS_NOT_VIP)
                .noVipOrRealCounted();
        lb.run(frame(ip(CLIENT4, Bytes.v4("203.0.113.99"), 0, udp(1, 80)))).passedUntouched().counted(PASS_NOT_VIP);
    }

    @Test
    void ipv6NotForAVipPassesUntouched() {
        vips();
        lb.run(tcpFrame(CLIENT6, 1000, Bytes.v6("2001:db8:f::99"), 80)).passedUntouched().counted(PASS_NOT_VIP);
    }

    @Test
    void vipAddressWithAnotherPortOrProtocolPasses() {
        vips();
        lb.run(tcpFrame(CLIENT4, 1000, VIP4, 81)).passedUntouched().counted(PASS_NOT_VIP);
        lb.run(frame(ip(CLIENT4, VIP4, 0, udp(1000, 80)))).passedUntouched().counted(PASS_NOT_VIP);
        lb.run(tcpFrame(CLIENT6, 1000, VIP6, 8080)).passedUntouched().counted(PASS_NOT_VIP);
        // a protocol that is not balanced, to a VIP address
        lb.run(frame(ip(CLIENT4, VIP4, 0, Payload.raw(Ip.GRE, new byte[24])))).passedUntouched().counted(PASS_NOT_VIP);
        lb.run(frame(ip(CLIENT6, VIP6, 0, Payload.raw(Ip.ESP, new byte[24])))).passedUntouched().counted(PASS_NOT_VIP);
    }

    @Test
    void arpLldpAndStackedTagsPassAsNotIp() {
        vips();
        byte[] arp = Ethernet.frame(Bytes.mac("ff:ff:ff:ff:ff:ff"), ROUTER_MAC, Ethernet.ARP,
                Arp.request(ROUTER_MAC, Bytes.v4("203.0.113.1"), VIP4));
        lb.run(arp).passedUntouched().counted(PASS_NOT_IP);
        lb.run(Ethernet.frame(Bytes.mac("01:80:c2:00:00:0e"), ROUTER_MAC, Ethernet.LLDP, new byte[46]))
                .passedUntouched().counted(PASS_NOT_IP);
        byte[] qinq = Ethernet.tagged(LB_MAC, ROUTER_MAC, 10, Ethernet.VLAN,
                Bytes.concat(Bytes.hex("0014 0800"), ip(CLIENT4, VIP4, 0, tcp(1, 80, Tcp.ACK))));
        lb.run(qinq).passedUntouched().counted(PASS_NOT_IP);
    }

    @Test
    void neighbourDiscoveryForAVipPassesUntouched() {
        vips();
        byte[] ns = Ipv6.builder().src(Bytes.v6("fe80::fe")).dst(Icmp6.solicitedNode(VIP6)).hopLimit(255)
                .payload(Icmp6.neighborSolicitation(VIP6, ROUTER_MAC)).build();
        lb.run(Ethernet.frame(Bytes.mac("33:33:ff:00:00:10"), ROUTER_MAC, Ethernet.IPV6, ns)).passedUntouched()
                .counted(PASS_NOT_VIP);
        byte[] nud = Ipv6.builder().src(Bytes.v6("fe80::fe")).dst(VIP6).hopLimit(255)
                .payload(Icmp6.neighborSolicitation(VIP6, ROUTER_MAC)).build();
        lb.run(frame(nud)).passedUntouched().counted(PASS_NOT_VIP);
        byte[] na = Ipv6.builder().src(Bytes.v6("fe80::fe")).dst(VIP6).hopLimit(255)
                .payload(Icmp6.message(Icmp6.NEIGHBOR_ADVERT, 0, 0x60000000L, VIP6.getAddress())).build();
        lb.run(frame(na)).passedUntouched().counted(PASS_NOT_VIP);
    }

    @Test
    void ipv4OptionsAreSkippedToFindThePorts() {
        vips();
        byte[] rr = Bytes.hex("07 0b 04 00000000 00000000 00"); // record route, two slots, EOL
        byte[] ip = Ipv4.builder().src(CLIENT4).dst(VIP4).df(true).tos(0x20).options(rr)
                .payload(tcp(45678, 80, Tcp.ACK)).build();
        int h = FlowHash.of(CLIENT4, 45678, 80, 0);
        int real = ringChoice(h, REALS4);
        Run r = lb.run(frame(ip)).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED).countedFor(1, real);
        Tunnel.assertEncapsulated(r, IPIP, realAddress(real));
        assertEquals(8, r.frame().ipv4().inner().bytes()[0] & 0x0f, "inner IHL 8 kept");
        assertEquals(real, lb.conn(flow(CLIENT4, 45678, VIP4, 80, TCP)).realId(),
                "conn_table keyed by the ports behind the options");
    }

    @Test
    void ipv6ExtensionHeadersAreSkippedToFindThePorts() {
        vips();
        byte[] ip = Ipv6.builder().src(CLIENT6).dst(VIP6).trafficClass(0x88).ext(Ipv6.hopByHop(8))
                .ext(Ipv6.routing(0, 0, Bytes.v6("2001:db8::77"))).ext(Ipv6.destOptions(16))
                .payload(tcp(45679, 80, Tcp.ACK)).build();
        int h = FlowHash.of(CLIENT6, 45679, 80, 0);
        int real = ringChoice(h, REALS6);
        Run r = lb.run(frame(ip)).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED).countedFor(2, real);
        Tunnel.assertEncapsulated(r, IPIP, realAddress(real));
        assertEquals(real, lb.conn(flow(CLIENT6, 45679, VIP6, 80, TCP)).realId());
    }

    @Test
    void moreThanFourExtensionHeadersAreUnsupported() {
        vips();
        Ipv6.Builder b = Ipv6.builder().src(CLIENT6).dst(VIP6);
        for (int i = 0; i < 5; i++) b.ext(Ipv6.destOptions(8));
        lb.run(frame(b.payload(tcp(1, 80, Tcp.ACK)).build())).verdict(XDP_DROP).counted(DROP_UNSUPPORTED);
        Ipv6.Builder four = Ipv6.builder().src(CLIENT6).dst(VIP6);
        for (int i = 0; i < 4; i++) four.ext(Ipv6.destOptions(8));
        lb.run(frame(four.payload(tcp(1, 80, Tcp.ACK)).build())).verdict(XDP_TX);
        Ipv6.Builder other = Ipv6.builder().src(CLIENT6).dst(Bytes.v6("2001:db8:f::99"));
        for (int i = 0; i < 5; i++) other.ext(Ipv6.destOptions(8));
        lb.run(frame(other.payload(tcp(1, 80, Tcp.ACK)).build())).passedUntouched().counted(PASS_NOT_VIP);
    }

    @Test
    void ipv4FragmentsToAVipAreDropped() {
        vips();
        byte[] first = Ipv4.builder().src(CLIENT4).dst(VIP4).mf(true).payload(tcp(1, 80, Tcp.ACK)).build();
        lb.run(frame(first)).verdict(XDP_DROP).counted(DROP_FRAGMENT).noVipOrRealCounted();
        byte[] later = Ipv4.builder().src(CLIENT4).dst(VIP4).fragOffset(100).payload(Payload.raw(Ip.TCP, new byte[40])).build();
        lb.run(frame(later)).verdict(XDP_DROP).counted(DROP_FRAGMENT);
        byte[] lastUdp = Ipv4.builder().src(CLIENT4).dst(VIP4).fragOffset(1).payload(Payload.raw(Ip.UDP, new byte[8])).build();
        lb.run(frame(lastUdp)).verdict(XDP_DROP).counted(DROP_FRAGMENT);
        byte[] elsewhere = Ipv4.builder().src(CLIENT4).dst(Bytes.v4("203.0.113.99")).mf(true).payload(tcp(1, 80, Tcp.ACK)).build();
        lb.run(frame(elsewhere)).passedUntouched().counted(PASS_NOT_VIP);
        assertEquals(0, lb.maps.connTable.entries().size(), "nothing written for fragments");
    }

    @Test
    void ipv6FragmentHeadersToAVipAreDropped() {
        vips();
        byte[] first = Ipv6.builder().src(CLIENT6).dst(VIP6).ext(Ipv6.fragment(0, true, 7)).payload(tcp(1, 80, Tcp.ACK)).build();
        lb.run(frame(first)).verdict(XDP_DROP).counted(DROP_FRAGMENT).noVipOrRealCounted();
        byte[] atomic = Ipv6.builder().src(CLIENT6).dst(VIP6).ext(Ipv6.fragment(0, false, 8)).payload(tcp(1, 80, Tcp.ACK)).build();
        lb.run(frame(atomic)).verdict(XDP_DROP).counted(DROP_FRAGMENT);
        byte[] behindOptions = Ipv6.builder().src(CLIENT6).dst(VIP6).ext(Ipv6.hopByHop(8)).ext(Ipv6.fragment(9, false, 9))
                .payload(Payload.raw(Ip.TCP, new byte[16])).build();
        lb.run(frame(behindOptions)).verdict(XDP_DROP).counted(DROP_FRAGMENT);
        byte[] elsewhere = Ipv6.builder().src(CLIENT6).dst(Bytes.v6("2001:db8:f::99")).ext(Ipv6.fragment(0, true, 7))
                .payload(tcp(1, 80, Tcp.ACK)).build();
        lb.run(frame(elsewhere)).passedUntouched().counted(PASS_NOT_VIP);
    }
}
