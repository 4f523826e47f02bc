package io.xdplb.datapath;

import io.xdplb.maps.FlowKey;
import io.xdplb.maps.FlowState;
import io.xdplb.packet.Bytes;
import io.xdplb.packet.Ethernet;
import io.xdplb.packet.Icmp;
import io.xdplb.packet.Icmp6;
import io.xdplb.packet.Ip;
import io.xdplb.packet.Ipv4;
import io.xdplb.packet.Ipv6;
import io.xdplb.packet.Payload;
import io.xdplb.packet.Tcp;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;

import static io.xdplb.datapath.Director.*;
import static io.xdplb.datapath.Stat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Echo requests to a VIP answered in place; frag-needed / packet-too-big forwarded to the flow's real. */
@RootOnly
class IcmpTest extends DataPathTest {
    static final InetAddress ROUTER4 = Bytes.v4("192.0.2.254"), ROUTER6 = Bytes.v6("2001:db8:1::fe");

    private static byte[] reply(byte[] ip) {
        return Ethernet.frame(ROUTER_MAC, LB_MAC, Ethernet.typeOf(ip), ip);
    }

    @Test
    void echoToAnIpv4VipIsAnsweredInPlace() {
        lb.vip(VIP4, 80, TCP, 1, IPIP, 0);
        byte[] data = Bytes.pattern(56);
        byte[] in = frame(Ipv4.builder().src(CLIENT4).dst(VIP4).tos(0x10).id(0x7777).df(true).ttl(51)
                .payload(Icmp.echoRequest(0x1234, 7, data)).build());
        Run r = lb.run(in).verdict(XDP_TX).counted(ICMP_ECHO_REPLY).noVipOrRealCounted();
        byte[] expected = reply(Ipv4.builder().src(VIP4).dst(CLIENT4).tos(0x10).id(0x7777).df(true).ttl(64)
                .payload(Icmp.message(Icmp.ECHO_REPLY, 0, 0x12340007L, data)).build());
        assertEquals(Bytes.hex(expected), Bytes.hex(r.out()));
        Ipv4.Packet ip = r.frame().ipv4();
        assertTrue(ip.headerChecksumVerifies());
        assertTrue(ip.upperChecksumVerifies());
        assertEquals(Icmp.ECHO_REPLY, ip.icmp().type());
    }

    @Test
    void echoWithOptionsAndVlanKeepsThem() {
        lb.vip(VIP4, 0, UDP, 1, GUE, 0);
        byte[] opts = Bytes.hex("01 01 01 00");
        byte[] in = tagged(0x0123, Ipv4.builder().src(CLIENT4).dst(VIP4).ttl(3).options(opts)
                .payload(Icmp.echoRequest(1, 2, Bytes.pattern(3))).build());
        Run r = lb.run(in).verdict(XDP_TX).counted(ICMP_ECHO_REPLY);
        byte[] ip = Ipv4.builder().src(VIP4).dst(CLIENT4).ttl(64).options(opts)
                .payload(Icmp.message(Icmp.ECHO_REPLY, 0, 0x00010002L, Bytes.pattern(3))).build();
        assertEquals(Bytes.hex(Ethernet.tagged(ROUTER_MAC, LB_MAC, 0x0123, Ethernet.IPV4, ip)), Bytes.hex(r.out()));
    }

    @Test
    void echoToAnIpv6VipIsAnsweredInPlace() {
        lb.vip(VIP6, 443, TCP, 1, IPIP, 0);
        byte[] data = Bytes.pattern(61);
        byte[] in = frame(Ipv6.builder().src(CLIENT6).dst(VIP6).trafficClass(0x22).flowLabel(0xfedcb).hopLimit(7)
                .payload(Icmp6.echoRequest(0xabcd, 0x0102, data)).build());
        Run r = lb.run(in).verdict(XDP_TX).counted(ICMP_ECHO_REPLY).noVipOrRealCounted();
        byte[] expected = reply(Ipv6.builder().src(VIP6).dst(CLIENT6).trafficClass(0x22).flowLabel(0xfedcb).hopLimit(64)
                .payload(Icmp6.message(Icmp6.ECHO_REPLY, 0, 0xabcd0102L, data)).build());
        assertEquals(Bytes.hex(expected), Bytes.hex(r.out()));
        assertTrue(r.frame().ipv6().upperChecksumVerifies());
    }

    @Test
    void icmpTheDirectorDoesNotOwnPasses() {
        lb.vip(VIP4, 80, TCP, 1, IPIP, 0);
        lb.vip(VIP6, 80, TCP, 2, IPIP, 0);
        lb.run(frame(ip(CLIENT4, Bytes.v4("203.0.113.99"), 0, Icmp.echoRequest(1, 1, new byte[8])))).passedUntouched()
                .counted(PASS_NOT_VIP);
        lb.run(frame(ip(CLIENT6, Bytes.v6("2001:db8:f::99"), 0, Icmp6.echoRequest(1, 1, new byte[8])))).passedUntouched()
                .counted(PASS_NOT_VIP);
        lb.run(frame(ip(CLIENT4, VIP4, 0, Icmp.message(Icmp.ECHO_REPLY, 0, 1, new byte[8])))).passedUntouched()
                .counted(PASS_NOT_VIP);
        lb.run(frame(ip(CLIENT4, VIP4, 0, Icmp.message(Icmp.DEST_UNREACH, Icmp.CODE_PORT_UNREACH, 0, new byte[28]))))
                .passedUntouched().counted(PASS_NOT_VIP);
        lb.run(frame(ip(CLIENT6, VIP6, 0, Icmp6.message(Icmp6.TIME_EXCEEDED, 0, 0, new byte[48])))).passedUntouched()
                .counted(PASS_NOT_VIP);
        // documented: an ICMPv6 echo behind extension headers is left to the kernel
        byte[] ext = Ipv6.builder().src(CLIENT6).dst(VIP6).ext(Ipv6.destOptions(8)).payload(Icmp6.echoRequest(1, 1, new byte[4])).build();
        lb.run(frame(ext)).passedUntouched().counted(PASS_NOT_VIP);
    }

    @Test
    void shortIcmpToAVipIsMalformed() {
        lb.vip(VIP4, 80, TCP, 1, IPIP, 0);
        byte[] ip = Ipv4.builder().src(CLIENT4).dst(VIP4).payload(Payload.raw(Ip.ICMP, Bytes.hex("0800 f7ff"))).build();
        lb.run(frame(ip)).verdict(XDP_DROP).counted(DROP_MALFORMED);
    }

    /** The start of a reply of the real server VIP:vport -> client:cport, as a router quotes it. */
    private static byte[] quotedReply(InetAddress vip, int vport, InetAddress client, int cport, int proto) {
        byte[] l4 = proto == TCP ? tcp(vport, cport, Tcp.ACK).data(new byte[1400]).encode(vip, client)
                : udp(vport, cport).data(new byte[1400]).encode(vip, client);
        byte[] ip = vip instanceof Inet4Address
                ? Ipv4.builder().src(vip).dst(client).df(true).payload(Payload.raw(proto, l4)).build()
                : Ipv6.builder().src(vip).dst(client).payload(Payload.raw(proto, l4)).build();
        return Bytes.slice(ip, 0, vip instanceof Inet4Address ? 28 : 1232);
    }

    @Test
    void fragNeededIsForwardedToTheRealOfTheFlow() {
        lb.vip(VIP4, 80, TCP, 4, IPIP, 0);
        lb.ring(4, 0, 1);
        FlowKey key = flow(CLIENT4, 5555, VIP4, 80, TCP);
        lb.maps.connTable.putEverywhere(key, new FlowState(3, 4, 1));
        byte[] in = frame(Ipv4.builder().src(ROUTER4).dst(VIP4).tos(0xc0).ttl(250)
                .payload(Icmp.fragNeeded(1400, quotedReply(VIP4, 80, CLIENT4, 5555, TCP))).build());
        Run r = lb.run(in).verdict(XDP_TX).counted(TX, ICMP_FORWARDED, CONN_HIT).countedFor(4, 3);
        Tunnel.assertEncapsulated(r, IPIP, realAddress(3), FlowHash.entropy(CLIENT4, 5555, 80, 0));
        assertEquals(Icmp.CODE_FRAG_NEEDED, r.frame().ipv4().inner().icmp().code());
        assertEquals(new FlowState(3, 4, 1), lb.conn(key), "the entry is not touched");

        lb.maps.connTable.remove(key);
        Run viaRing = lb.run(in).verdict(XDP_TX).counted(TX, ICMP_FORWARDED, CONN_MISS, RING_USED).countedFor(4, 1);
        Tunnel.assertEncapsulated(viaRing, IPIP, realAddress(1), FlowHash.entropy(CLIENT4, 5555, 80, 0));
        assertEquals(0, lb.maps.connTable.entries().size(), "a forwarded ICMP error writes no entry");
    }

    @Test
    void packetTooBigIsForwardedToTheRealOfTheFlow() {
        lb.vip(VIP6, 0, UDP, 5, GUE, 0);
        lb.ring(5, 0, REALS6);
        int h = FlowHash.of(CLIENT6, 5353, 53, 0);
        int real = ringChoice(h, REALS6);
        byte[] in = frame(Ipv6.builder().src(ROUTER6).dst(VIP6).hopLimit(64)
                .payload(Icmp6.packetTooBig(1280, quotedReply(VIP6, 53, CLIENT6, 5353, UDP))).build());
        assertEquals(14 + 1280, in.length);
        Run r = lb.run(in).verdict(XDP_TX).counted(TX, ICMP_FORWARDED, CONN_MISS, RING_USED).countedFor(5, real);
        Tunnel.assertEncapsulated(r, GUE, realAddress(real), FlowHash.entropy(CLIENT6, 5353, 53, 0));   // GUE6 checksum over the whole ICMP packet
        assertEquals(0, lb.maps.connTable.entries().size());
    }

    @Test
    void icmpErrorsForUnknownFlowsPassAndCutQuotesDrop() {
        lb.vip(VIP4, 80, TCP, 4, IPIP, 0);
        lb.ring(4, 0, 1);
        byte[] otherPort = frame(ip(ROUTER4, VIP4, 0, Icmp.fragNeeded(1400, quotedReply(VIP4, 81, CLIENT4, 5555, TCP))));
        lb.run(otherPort).passedUntouched().counted(PASS_NOT_VIP);
        byte[] quotesUdp = frame(ip(ROUTER4, VIP4, 0, Icmp.fragNeeded(1400, quotedReply(VIP4, 80, CLIENT4, 5555, UDP))));
        lb.run(quotesUdp).passedUntouched().counted(PASS_NOT_VIP);
        byte[] icmpQuote = Bytes.slice(Ipv4.builder().src(VIP4).dst(CLIENT4).payload(Icmp.echoRequest(1, 1, new byte[8])).build(), 0, 28);
        lb.run(frame(ip(ROUTER4, VIP4, 0, Icmp.fragNeeded(1400, icmpQuote)))).passedUntouched().counted(PASS_NOT_VIP);

        byte[] q = quotedReply(VIP4, 80, CLIENT4, 5555, TCP);
        lb.run(frame(ip(ROUTER4, VIP4, 0, Icmp.fragNeeded(1400, Bytes.slice(q, 0, 12))))).verdict(XDP_DROP)
                .counted(DROP_MALFORMED);
        lb.run(frame(ip(ROUTER4, VIP4, 0, Icmp.fragNeeded(1400, Bytes.slice(q, 0, 22))))).verdict(XDP_DROP)
                .counted(DROP_MALFORMED);
        byte[] ihl4 = q.clone();
        ihl4[0] = 0x44;
        lb.run(frame(ip(ROUTER4, VIP4, 0, Icmp.fragNeeded(1400, ihl4)))).verdict(XDP_DROP).counted(DROP_MALFORMED);
    }
}
