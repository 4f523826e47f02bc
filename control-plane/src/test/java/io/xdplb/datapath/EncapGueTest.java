package io.xdplb.datapath;

import io.xdplb.maps.LbConfig;
import io.xdplb.packet.Bytes;
import io.xdplb.packet.Checksum;
import io.xdplb.packet.Frame;
import io.xdplb.packet.Ip;
import io.xdplb.packet.Ipv4;
import io.xdplb.packet.Ipv6;
import io.xdplb.packet.Payload;
import io.xdplb.packet.Tcp;
import io.xdplb.packet.Udp;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntFunction;

import static io.xdplb.datapath.Director.*;
import static io.xdplb.datapath.Stat.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GUE variant 1 over both outer families with both inner families, and the GUE-over-IPv6 UDP
 * checksum on its fast path (derived) and on its fallback (summed), each checked independently.
 */
@RootOnly
class EncapGueTest extends DataPathTest {

    /** One VIP, one real, a packet through it; the whole output checked. */
    private Run through(InetAddress vip, int proto, int real, byte[] in, int sport, int dport) {
        lb.vip(vip, dport, proto, 7, GUE, 0);
        lb.ring(7, 0, real);
        Run r = lb.run(in).verdict(XDP_TX).counted(TX, CONN_MISS, RING_USED).countedFor(7, real);
        Frame inFrame = Frame.parse(in);
        Tunnel.assertEncapsulated(r, GUE, realAddress(real), FlowHash.entropy(inFrame.ip().src(), sport, dport, 0));
        return r;
    }

    @Test
    void ipv4OuterIpv4Inner() {
        Run r = through(VIP4, TCP, 1, frame(ip(CLIENT4, VIP4, 0x48, tcp(41000, 80, Tcp.ACK))), 41000, 80);
        assertEquals(Ip.UDP, r.frame().ipv4().protocol());
        assertEquals(0, r.frame().ipv4().udp().checksum(), "UDP checksum 0 over IPv4");
    }

    @Test
    void ipv4OuterIpv6Inner() {
        // "6-in-4 GUE": an IPv6 VIP reaching an IPv4 real; the outer TOS is the inner traffic class
        Run r = through(VIP6, TCP, 2, frame(ip(CLIENT6, VIP6, 0xa1, tcp(41001, 443, Tcp.ACK))), 41001, 443);
        assertEquals(0xa1, r.frame().ipv4().tos());
        assertEquals(6, r.frame().ipv4().udp().gue().version());
    }

    @Test
    void ipv6OuterIpv4Inner() {
        Run r = through(VIP4, UDP, 4, frame(ip(CLIENT4, VIP4, 0x10, udp(41002, 53))), 41002, 53);
        assertTrue(r.frame().ipv6().upperChecksumVerifies());
    }

    @Test
    void ipv6OuterIpv6Inner() {
        Run r = through(VIP6, TCP, 6, frame(ip(CLIENT6, VIP6, 0, tcp(41003, 80, Tcp.ACK))), 41003, 80);
        assertTrue(r.frame().ipv6().upperChecksumVerifies());
    }

    @Test
    void gueOverIpv6ChecksumFallbacks() {
        // Each of these takes the summing path (docs/datapath.md "GUE-over-IPv6 checksum"):
        // inner UDP checksum 0, inner UDP shorter than its IP payload, IPv4 options, IPv6 extension headers.
        byte[] zeroUdp = Ipv4.builder().src(CLIENT4).dst(VIP4).df(true).payload(udp(41004, 53).zeroChecksum()).build();
        through(VIP4, UDP, 5, frame(zeroUdp), 41004, 53);
        lb.reset();

        byte[] shortUdp = Ipv4.builder().src(CLIENT4).dst(VIP4).df(true)
                .payload(Payload.raw(Ip.UDP, Bytes.concat(
                        Udp.builder().ports(41005, 53).data(Bytes.pattern(9)).encode(CLIENT4, VIP4), Bytes.pattern(7))))
                .build();
        through(VIP4, UDP, 5, frame(shortUdp), 41005, 53);
        lb.reset();

        byte[] options = Ipv4.builder().src(CLIENT4).dst(VIP4).df(true).options(Bytes.hex("01 01 01 00"))
                .payload(tcp(41006, 80, Tcp.ACK).data(Bytes.pattern(301))).build();
        through(VIP4, TCP, 6, frame(options), 41006, 80);
        lb.reset();

        byte[] ext = Ipv6.builder().src(CLIENT6).dst(VIP6).ext(Ipv6.hopByHop(8)).ext(Ipv6.destOptions(24))
                .payload(udp(41007, 53).data(Bytes.pattern(999))).build();
        through(VIP6, UDP, 4, frame(ext), 41007, 53);
    }

    @Test
    void gueOverIpv6ChecksumOfLargeOddPackets() {
        // lengths around the fallback's 64/4/2/1-byte steps, and odd lengths on the derived path
        for (int n : new int[] {0, 1, 2, 3, 63, 64, 65, 1001, 1400}) {
            lb.reset();
            byte[] v4opt = Ipv4.builder().src(CLIENT4).dst(VIP4).df(true).options(Bytes.hex("01010100"))
                    .payload(udp(42000 + n, 53).data(Bytes.pattern(n))).build();
            through(VIP4, UDP, 4, frame(v4opt), 42000 + n, 53);
            lb.reset();
            through(VIP6, UDP, 5, frame(ip(CLIENT6, VIP6, 0, udp(43000 + n, 53).data(Bytes.pattern(n)))), 43000 + n, 53);
        }
    }

    @Test
    void gueOverIpv6ChecksumIsNeverZero() {
        // A valid inner segment makes the outer sum independent of its data (the derived path's
        // premise), so search over client ports (they move the GUE source port) for a packet whose
        // outer checksum computes to 0 on the derived path, and over data with an inner checksum 0
        // on the summing path: each must go out as 0xffff.
        lb.vip(VIP4, 53, UDP, 7, GUE, 0);
        lb.ring(7, 0, 4);
        assertZeroSentAsOnes(sport -> Ipv4.builder().src(CLIENT4).dst(VIP4).df(true).payload(udp(sport, 53)).build(),
                true);
        lb.reset();
        lb.vip(VIP4, 53, UDP, 7, GUE, 0);
        lb.ring(7, 0, 4);
        assertZeroSentAsOnes(v -> {
            byte[] data = new byte[2];
            Bytes.put16(data, 0, v);
            return Ipv4.builder().src(CLIENT4).dst(VIP4).df(true).payload(udp(44444, 53).data(data).zeroChecksum()).build();
        }, false);
    }

    private void assertZeroSentAsOnes(IntFunction<byte[]> packet, boolean variesSport) {
        InetAddress real = realAddress(4);
        for (int v = 1; v < 0x10000; v++) {
            byte[] ip = packet.apply(v);
            int hash = FlowHash.entropy(CLIENT4, variesSport ? v : 44444, 53, 0);
            byte[] udpHdr = new byte[8];
            Bytes.put16(udpHdr, 0, FlowHash.gueSourcePort(hash));
            Bytes.put16(udpHdr, 2, GUE_PORT);
            Bytes.put16(udpHdr, 4, 8 + ip.length);
            if (Checksum.transport(SRC6, real, Ip.UDP, Bytes.concat(udpHdr, ip)) != 0) continue;
            Run r = lb.run(frame(ip)).verdict(XDP_TX);
            assertEquals(0xffff, r.frame().ipv6().udp().checksum(), "a computed 0 is sent as 0xffff");
            Tunnel.assertEncapsulated(r, GUE, real);
            return;
        }
        throw new AssertionError("no packet gives a zero checksum");
    }

    @Test
    void sourcePortAndFlowLabelFollowTheFlow() {
        lb.vip(VIP6, 80, TCP, 7, GUE, 0);
        lb.ring(7, 0, 4);
        Set<Integer> ports = new HashSet<>(), labels = new HashSet<>();
        for (int sport = 30000; sport < 30020; sport++) {
            int h = FlowHash.of(CLIENT6, sport, 80, 0);
            Run r = lb.run(tcpFrame(CLIENT6, sport, VIP6, 80)).verdict(XDP_TX);
            Tunnel.assertEncapsulated(r, GUE, realAddress(4));
            int p = r.frame().ipv6().udp().sport();
            assertTrue(p >= 32768 && p <= 65535, "source port in 32768..65535");
            ports.add(p);
            labels.add(r.frame().ipv6().flowLabel());
            Run again = lb.run(tcpFrame(CLIENT6, sport, VIP6, 80)).verdict(XDP_TX);
            assertEquals(p, again.frame().ipv6().udp().sport(), "same flow, same source port");
        }
        assertEquals(20, ports.size(), "20 flows, 20 GUE source ports");
        assertEquals(20, labels.size(), "20 flows, 20 flow labels");
    }

    @Test
    void gueWithoutPortIsNoConfig() {
        lb.vip(VIP4, 80, TCP, 7, GUE, 0);
        lb.ring(7, 0, 1);
        lb.maps.lbConfig.put(0, new LbConfig(0, SRC_MAC, GW_MAC, SRC4, SRC6, 0, 0, 0));
        lb.run(tcpFrame(CLIENT4, 1, VIP4, 80)).verdict(XDP_DROP).counted(DROP_NO_CONFIG).noVipOrRealCounted();
    }

    @Test
    void missingOuterSourceForTheRealsFamilyIsNoConfig() {
        lb.vip(VIP4, 80, TCP, 7, GUE, 0);
        lb.ring(7, 0, 4); // an IPv6 real, but no src6
        lb.maps.lbConfig.put(0, new LbConfig(0, SRC_MAC, GW_MAC, SRC4, null, GUE_PORT, 0, 0));
        lb.run(tcpFrame(CLIENT4, 1, VIP4, 80)).verdict(XDP_DROP).counted(DROP_NO_CONFIG, CONN_MISS, RING_USED)
                .noVipOrRealCounted();
    }
}
