package io.xdplb.datapath;

import io.xdplb.packet.Bytes;
import io.xdplb.packet.Ethernet;
import io.xdplb.packet.Ip;
import io.xdplb.packet.Ipv4;
import io.xdplb.packet.Ipv6;
import io.xdplb.packet.Payload;
import io.xdplb.packet.Tcp;
import io.xdplb.packet.Udp;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.Arrays;

import static io.xdplb.datapath.Director.*;
import static io.xdplb.datapath.Stat.*;

/**
 * Truncated and lying packets (docs/datapath.md "malformed"): dropped when addressed to a VIP
 * address, passed untouched otherwise; cut before the destination can be read, passed.
 */
@RootOnly
class MalformedTest extends DataPathTest {
    static final InetAddress OTHER4 = Bytes.v4("203.0.113.99"), OTHER6 = Bytes.v6("2001:db8:f::99");

    @BeforeEach
    void vips() {
        lb.vip(VIP4, 80, TCP, 1, IPIP, 0);
        lb.vip(VIP4, 53, UDP, 1, IPIP, 0);
        lb.vip(VIP6, 80, TCP, 2, IPIP, 0);
        lb.ring(1, 0, REALS4);
        lb.ring(2, 0, REALS6);
    }

    private void droppedIfVipElsePassed(byte[] toVip, byte[] toOther) {
        lb.run(toVip).verdict(XDP_DROP).counted(DROP_MALFORMED).noVipOrRealCounted();
        lb.run(toOther).passedUntouched().counted(PASS_NOT_VIP).noVipOrRealCounted();
    }

    /** The frame cut to n bytes, length fields left as they were (so they run past the frame). */
    private static byte[] cut(byte[] f, int n) {
        return Arrays.copyOf(f, n);
    }

    @ParameterizedTest(name = "IPv4 TCP frame cut to {0} bytes")
    @ValueSource(ints = {34, 35, 40, 53, 54 + 36})
    void ipv4CutAfterTheHeaderIsMalformed(int n) {
        // 34 = Ethernet + IPv4 header: the destination is readable, the total length is not there
        droppedIfVipElsePassed(cut(tcpFrame(CLIENT4, 1, VIP4, 80), n), cut(tcpFrame(CLIENT4, 1, OTHER4, 80), n));
    }

    @ParameterizedTest(name = "IPv6 TCP frame cut to {0} bytes")
    @ValueSource(ints = {54, 60, 73, 74 + 36})
    void ipv6CutAfterTheHeaderIsMalformed(int n) {
        droppedIfVipElsePassed(cut(tcpFrame(CLIENT6, 1, VIP6, 80), n), cut(tcpFrame(CLIENT6, 1, OTHER6, 80), n));
    }

    @ParameterizedTest(name = "frame cut to {0} bytes: destination unreadable")
    @ValueSource(ints = {14, 15, 26, 33})
    void ipv4HeaderCutPasses(int n) {
        lb.run(cut(tcpFrame(CLIENT4, 1, VIP4, 80), n)).passedUntouched().counted(PASS_NOT_VIP);
    }

    @ParameterizedTest(name = "frame cut to {0} bytes: destination unreadable")
    @ValueSource(ints = {14, 20, 53})
    void ipv6HeaderCutPasses(int n) {
        lb.run(cut(tcpFrame(CLIENT6, 1, VIP6, 80), n)).passedUntouched().counted(PASS_NOT_VIP);
    }

    @Test
    void vlanTagCutShortIsNotIp() {
        byte[] f = Ethernet.frame(LB_MAC, ROUTER_MAC, Ethernet.VLAN, Bytes.hex("0064"));
        lb.run(f).passedUntouched().counted(PASS_NOT_IP);
        byte[] t = tagged(100, ip(CLIENT4, VIP4, 0, tcp(1, 80, Tcp.ACK)));
        lb.run(cut(t, 17)).passedUntouched().counted(PASS_NOT_IP);
        lb.run(cut(t, 18 + 19)).passedUntouched().counted(PASS_NOT_VIP);
        lb.run(cut(t, 18 + 20)).verdict(XDP_DROP).counted(DROP_MALFORMED);
    }

    @Test
    void totalLengthLargerThanTheFrame() {
        byte[] ok = ip(CLIENT4, VIP4, 0, tcp(1, 80, Tcp.ACK));
        droppedIfVipElsePassed(frame(lie4(VIP4, ok.length + 1)), frame(lie4(OTHER4, ok.length + 1)));
        Ipv6.Builder b6 = Ipv6.builder().src(CLIENT6).dst(VIP6).payloadLength(20 + 37 + 1).payload(tcp(1, 80, Tcp.ACK));
        Ipv6.Builder o6 = Ipv6.builder().src(CLIENT6).dst(OTHER6).payloadLength(20 + 37 + 1).payload(tcp(1, 80, Tcp.ACK));
        droppedIfVipElsePassed(frame(b6.build()), frame(o6.build()));
    }

    private static byte[] lie4(InetAddress dst, int totalLength) {
        return Ipv4.builder().src(CLIENT4).dst(dst).df(true).totalLength(totalLength).payload(tcp(1, 80, Tcp.ACK)).build();
    }

    @Test
    void transportHeaderCutInsideTheIpLength() {
        // the frame is whole, but the IP length ends inside the TCP / UDP header
        byte[] tcp10 = Ipv4.builder().src(CLIENT4).dst(VIP4).payload(Payload.raw(Ip.TCP, Bytes.hex("0001 0050 00000001 0000"))).build();
        byte[] tcp10o = Ipv4.builder().src(CLIENT4).dst(OTHER4).payload(Payload.raw(Ip.TCP, Bytes.hex("0001 0050 00000001 0000"))).build();
        droppedIfVipElsePassed(frame(tcp10), frame(tcp10o));
        byte[] udp4 = Ipv4.builder().src(CLIENT4).dst(VIP4).payload(Payload.raw(Ip.UDP, Bytes.hex("0001 0035"))).build();
        byte[] udp4o = Ipv4.builder().src(CLIENT4).dst(OTHER4).payload(Payload.raw(Ip.UDP, Bytes.hex("0001 0035"))).build();
        droppedIfVipElsePassed(frame(udp4), frame(udp4o));
        // IPv4 length says 20 + 10, the frame carries the whole segment behind it as padding
        byte[] shortTot = Ipv4.builder().src(CLIENT4).dst(VIP4).totalLength(30).payload(tcp(1, 80, Tcp.ACK)).build();
        byte[] shortToto = Ipv4.builder().src(CLIENT4).dst(OTHER4).totalLength(30).payload(tcp(1, 80, Tcp.ACK)).build();
        droppedIfVipElsePassed(frame(shortTot), frame(shortToto));
        byte[] ip6 = Ipv6.builder().src(CLIENT6).dst(VIP6).payloadLength(12).payload(tcp(1, 80, Tcp.ACK)).build();
        byte[] ip6o = Ipv6.builder().src(CLIENT6).dst(OTHER6).payloadLength(12).payload(tcp(1, 80, Tcp.ACK)).build();
        droppedIfVipElsePassed(frame(ip6), frame(ip6o));
    }

    @Test
    void badHeaderFields() {
        droppedIfVipElsePassed(frame(Ipv4.builder().src(CLIENT4).dst(VIP4).ihl(4).payload(tcp(1, 80, Tcp.ACK)).build()),
                frame(Ipv4.builder().src(CLIENT4).dst(OTHER4).ihl(4).payload(tcp(1, 80, Tcp.ACK)).build()));
        droppedIfVipElsePassed(frame(Ipv4.builder().src(CLIENT4).dst(VIP4).totalLength(19).payload(tcp(1, 80, Tcp.ACK)).build()),
                frame(Ipv4.builder().src(CLIENT4).dst(OTHER4).totalLength(19).payload(tcp(1, 80, Tcp.ACK)).build()));
        byte[] v5 = Ipv4.builder().src(CLIENT4).dst(VIP4).version(5).payload(tcp(1, 80, Tcp.ACK)).build();
        lb.run(Ethernet.frame(LB_MAC, ROUTER_MAC, Ethernet.IPV4, v5)).verdict(XDP_DROP).counted(DROP_MALFORMED);
        byte[] v4in6 = Ipv6.builder().src(CLIENT6).dst(VIP6).version(4).payload(tcp(1, 80, Tcp.ACK)).build();
        lb.run(Ethernet.frame(LB_MAC, ROUTER_MAC, Ethernet.IPV6, v4in6)).verdict(XDP_DROP).counted(DROP_MALFORMED);
    }

    @Test
    void badTcpDataOffset() {
        droppedIfVipElsePassed(frame(ip(CLIENT4, VIP4, 0, tcp(1, 80, Tcp.ACK).dataOffset(4))),
                frame(ip(CLIENT4, OTHER4, 0, tcp(1, 80, Tcp.ACK).dataOffset(4))));
        // 15 words = 60 bytes, but the segment is 20 + 3 bytes long
        droppedIfVipElsePassed(frame(ip(CLIENT4, VIP4, 0, tcp(1, 80, Tcp.ACK).data(new byte[3]).dataOffset(15))),
                frame(ip(CLIENT4, OTHER4, 0, tcp(1, 80, Tcp.ACK).data(new byte[3]).dataOffset(15))));
        droppedIfVipElsePassed(frame(ip(CLIENT6, VIP6, 0, tcp(1, 80, Tcp.ACK).dataOffset(2))),
                frame(ip(CLIENT6, OTHER6, 0, tcp(1, 80, Tcp.ACK).dataOffset(2))));
    }

    @Test
    void badUdpLength() {
        droppedIfVipElsePassed(frame(ip(CLIENT4, VIP4, 0, Udp.builder().ports(1, 53).length(7))),
                frame(ip(CLIENT4, OTHER4, 0, Udp.builder().ports(1, 53).length(7))));
        droppedIfVipElsePassed(frame(ip(CLIENT4, VIP4, 0, Udp.builder().ports(1, 53).data(new byte[4]).length(13))),
                frame(ip(CLIENT4, OTHER4, 0, Udp.builder().ports(1, 53).data(new byte[4]).length(13))));
        // shorter than the IP payload is allowed and forwarded
        int h = FlowHash.of(CLIENT4, 1, 53, 0);
        Run r = lb.run(frame(ip(CLIENT4, VIP4, 0, Udp.builder().ports(1, 53).data(new byte[4]).length(10))))
                .verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED);
        Tunnel.assertEncapsulated(r, IPIP, realAddress(ringChoice(h, REALS4)));
    }

    @Test
    void extensionHeaderCut() {
        // a destination-options header claiming 16 bytes with only 8 inside the payload length
        byte[] ip = Ipv6.builder().src(CLIENT6).dst(VIP6).ext(Ipv6.destOptions(16)).payload(Payload.raw(Ip.NONE, new byte[0]))
                .payloadLength(8).build();
        byte[] other = Ipv6.builder().src(CLIENT6).dst(OTHER6).ext(Ipv6.destOptions(16)).payload(Payload.raw(Ip.NONE, new byte[0]))
                .payloadLength(8).build();
        droppedIfVipElsePassed(frame(ip), frame(other));
        // the header chain runs off the end of the frame
        byte[] f = frame(Ipv6.builder().src(CLIENT6).dst(VIP6).ext(Ipv6.hopByHop(8)).ext(Ipv6.destOptions(8))
                .payload(tcp(1, 80, Tcp.ACK)).build());
        lb.run(cut(f, 54 + 12)).verdict(XDP_DROP).counted(DROP_MALFORMED);
    }
}
