package io.xdplb.datapath;

import io.xdplb.director.StatNames;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.libbpf.BpfProgram;
import io.xdplb.libbpf.TestRun;
import io.xdplb.maps.DecapConfig;
import io.xdplb.maps.IpAddr;
import io.xdplb.packet.Arp;
import io.xdplb.packet.Bytes;
import io.xdplb.packet.Ethernet;
import io.xdplb.packet.Ip;
import io.xdplb.packet.Ipv4;
import io.xdplb.packet.Ipv6;
import io.xdplb.packet.Payload;
import io.xdplb.packet.Tcp;
import io.xdplb.packet.Udp;
import io.xdplb.realserver.DecapMaps;
import io.xdplb.realserver.DecapProgram;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static io.xdplb.datapath.Director.CLIENT4;
import static io.xdplb.datapath.Director.CLIENT6;
import static io.xdplb.datapath.Director.VIP4;
import static io.xdplb.datapath.Director.VIP6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The real server's program: strips every tunnel kind addressed to it, refuses broken ones, leaves the rest. */
@RootOnly
class DecapTest {
    private static final int DROP = Director.XDP_DROP, PASS = Director.XDP_PASS;
    private static final InetAddress ME4 = Bytes.v4("192.0.2.11"), ME6 = Bytes.v6("2001:db8:1::11");
    private static final InetAddress OTHER4 = Bytes.v4("192.0.2.99");
    private static final byte[] ME_MAC = Bytes.mac("02:00:00:00:00:11"), GW_MAC = Bytes.mac("02:00:00:00:00:01");
    private static BpfObject obj;
    private static BpfProgram prog;
    private static DecapMaps maps;
    private static List<String> names;

    @BeforeAll
    static void load() {
        obj = DecapProgram.load();
        prog = obj.program(DecapProgram.NAME);
        maps = DecapMaps.of(obj::map);
        maps.addrs.put(new IpAddr(ME4), 1);
        maps.addrs.put(new IpAddr(ME6), 1);
        maps.addrs.put(new IpAddr(Bytes.v4("198.51.100.11")), 1);  // the frames are addressed here
        maps.addrs.put(new IpAddr(Bytes.v6("2001:db8:2::11")), 1);
        maps.config.put(0, new DecapConfig(6080, 0));
        names = StatNames.decap();
    }

    @AfterAll
    static void close() {
        obj.close();
    }

    private static long count(String name) {
        return maps.stats.sum(names.indexOf(name)).packets();
    }

    /** The client's IP packet (no Ethernet): a TCP segment to a VIP. */
    private static byte[] inner(boolean v6) {
        return Director.ip(v6 ? CLIENT6 : CLIENT4, v6 ? VIP6 : VIP4, 0, Director.tcp(40000, 80, Tcp.ACK | Tcp.PSH));
    }

    /** The director's outer header (family of dst) around a payload. */
    private static byte[] outer(InetAddress dst, Payload p) {
        byte[] ip = dst instanceof java.net.Inet6Address
                ? Ipv6.builder().src(Director.SRC6).dst(dst).payload(p).build()
                : Ipv4.builder().src(Director.SRC4).dst(dst).df(true).payload(p).build();
        return Ethernet.frame(ME_MAC, GW_MAC, Ethernet.typeOf(ip), ip);
    }

    private static byte[] ipip(InetAddress dst, byte[] innerPacket) {
        return outer(dst, Payload.raw((innerPacket[0] >> 4) == 4 ? Ip.IPIP : Ip.IPV6, innerPacket));
    }

    private static byte[] gue(InetAddress dst, byte[] innerPacket, int port) {
        Udp.Builder udp = Udp.builder().ports(40001, port).data(innerPacket);
        if (!(dst instanceof java.net.Inet6Address)) udp.zeroChecksum();
        return outer(dst, udp);
    }

    /** Stripped: the same MACs, the inner family's EtherType, then exactly the inner packet. */
    private static void stripped(byte[] in, byte[] innerPacket, String counter) {
        long before = count(counter);
        TestRun.Result r = TestRun.run(prog, in);
        assertEquals(PASS, r.retval());
        byte[] out = r.data();
        assertArrayEquals(Bytes.slice(in, 0, 12), Bytes.slice(out, 0, 12), "MACs kept");
        assertEquals(Ethernet.typeOf(innerPacket), Bytes.u16(out, 12));
        assertArrayEquals(innerPacket, Bytes.slice(out, 14, out.length), "the inner packet, byte for byte");
        assertEquals(before + 1, count(counter), counter);
    }

    private static void untouched(byte[] in, int verdict, String counter) {
        long before = count(counter);
        TestRun.Result r = TestRun.run(prog, in);
        assertEquals(verdict, r.retval(), counter);
        if (verdict == PASS) assertArrayEquals(in, r.data());
        assertEquals(before + 1, count(counter), counter);
    }

    @Test
    void ipipOfEveryFamilyPairIsStripped() {
        stripped(ipip(ME4, inner(false)), inner(false), "ipip4");
        stripped(ipip(ME6, inner(true)), inner(true), "ipip6");
        stripped(ipip(ME6, inner(false)), inner(false), "ip4_in_ip6");
        stripped(ipip(ME4, inner(true)), inner(true), "ip6_in_ip4");
    }

    @Test
    void gueOfEveryFamilyPairIsStripped() {
        long gue = count("gue");
        stripped(gue(ME4, inner(false), 6080), inner(false), "ipip4");
        stripped(gue(ME4, inner(true), 6080), inner(true), "ip6_in_ip4");
        stripped(gue(ME6, inner(false), 6080), inner(false), "ip4_in_ip6");
        stripped(gue(ME6, inner(true), 6080), inner(true), "ipip6");
        assertEquals(gue + 4, count("gue"));
    }

    @Test
    void aVlanTagIsKeptAndItsEtherTypeFixed() {
        byte[] ip = Ipv4.builder().src(Director.SRC4).dst(ME4).payload(Payload.raw(Ip.IPV6, inner(true))).build();
        byte[] in = Ethernet.tagged(ME_MAC, GW_MAC, 0x0064, Ethernet.IPV4, ip);
        TestRun.Result r = TestRun.run(prog, in);
        assertEquals(PASS, r.retval());
        byte[] out = r.data();
        assertArrayEquals(Bytes.slice(in, 0, 16), Bytes.slice(out, 0, 16), "MACs, 802.1Q and TCI kept");
        assertEquals(Ethernet.IPV6, Bytes.u16(out, 16), "the tag now announces the inner family");
        assertArrayEquals(inner(true), Bytes.slice(out, 18, out.length));
    }

    @Test
    void whatIsNotATunnelForUsPassesUntouched() {
        untouched(ipip(OTHER4, inner(false)), PASS, "pass_other");                        // another host's tunnel
        untouched(gue(ME4, inner(false), 7000), PASS, "pass_other");                      // another UDP port
        untouched(outer(ME4, Director.tcp(40000, 22, Tcp.ACK)), PASS, "pass_other");       // plain traffic to us
        untouched(Arp.request(GW_MAC, Director.SRC4, (java.net.Inet4Address) ME4), PASS, "pass_other");
    }

    @Test
    void brokenTunnelsForUsAreDropped() {
        untouched(ipip(ME4, Bytes.slice(inner(false), 0, 12)), DROP, "drop_malformed");   // inner header cut
        untouched(outer(ME4, Payload.raw(Ip.IPIP, inner(true))), DROP, "drop_malformed");  // IPIP must carry IPv4
        byte[] lying = ipip(ME4, inner(false));
        Bytes.put16(lying, 16, 1400);                                                     // total length past the frame
        untouched(lying, DROP, "drop_malformed");
    }

    /** Issue 9: the outer total length (20) ends at its own header; the 20 bytes after it are trailer, not an inner packet. */
    @Test
    void anOuterIpv4LengthEndingAtItsOwnHeaderIsDropped() {
        untouched(Bytes.hex("02005e00000202005e000001080045000014000040004004e672c6336401c633640b"
                + "450000140000400040ff3bdfcb007101c000020a"), DROP, "drop_malformed");
    }

    /** Issue 9: EtherType 0x86dd, version nibble 0: not an IPv6 packet, whatever follows. */
    @Test
    void anIpv6EtherTypeWhoseVersionIsNot6IsDropped() {
        untouched(Bytes.hex("02005e00000202005e00000186dd000000000014044020010db800010000000000000000000120010db8"
                + "000200000000000000000011450000140000400040ff3bdfcb007101c000020a"), DROP, "drop_malformed");
    }

    @Test
    void theGueUdpLengthBoundsTheInnerPacket() {
        byte[] inner = inner(false);
        // UDP length cuts the inner packet short of its own total length
        untouched(outer(ME4, Udp.builder().ports(40001, 6080).data(inner).zeroChecksum().length(8 + 20)), DROP, "drop_malformed");
        // UDP length past the outer packet, and below the UDP header itself
        untouched(outer(ME4, Udp.builder().ports(40001, 6080).data(inner).zeroChecksum().length(8 + inner.length + 1)), DROP, "drop_malformed");
        untouched(outer(ME4, Udp.builder().ports(40001, 6080).data(inner).zeroChecksum().length(7)), DROP, "drop_malformed");
        // GUE carries IPv4 or IPv6 only
        byte[] v5 = inner.clone();
        v5[0] = 0x55;
        untouched(gue(ME4, v5, 6080), DROP, "drop_malformed");
    }

    @Test
    void anInnerPacketLongerThanItsOuterPacketIsDropped() {
        byte[] v4 = inner(false);
        Bytes.put16(v4, 2, v4.length + 1);                                     // inner IPv4 total length
        untouched(ipip(ME4, v4), DROP, "drop_malformed");
        byte[] v6 = inner(true);
        Bytes.put16(v6, 4, v6.length - 40 + 1);                                // inner IPv6 payload length
        untouched(ipip(ME6, v6), DROP, "drop_malformed");
        byte[] shortIhl = inner(false);
        shortIhl[0] = 0x44;                                                     // IHL 4: shorter than an IPv4 header
        untouched(ipip(ME4, shortIhl), DROP, "drop_malformed");
        byte[] outerV5 = ipip(ME4, inner(false));
        outerV5[14] = 0x55;                                                     // outer version 5 under EtherType IPv4
        untouched(outerV5, DROP, "drop_malformed");
    }

    /** A trailer after a whole tunnel packet (Ethernet padding) is not part of it: the tunnel still decapsulates. */
    @Test
    void anEthernetTrailerAfterAWholeTunnelIsNotMistakenForPacket() {
        byte[] in = ipip(ME4, inner(false));
        byte[] padded = java.util.Arrays.copyOf(in, in.length + 6);
        TestRun.Result r = TestRun.run(prog, padded);
        assertEquals(PASS, r.retval());
        assertArrayEquals(inner(false), Bytes.slice(r.data(), 14, 14 + inner(false).length));
    }

    @Test
    void whatTheDirectorSendsTheRealStripsBackToTheClientsPacket() {
        try (Director lb = new Director()) {
            lb.vip(VIP4, 80, Director.TCP, 1, Director.GUE, 0);
            lb.ring(1, 0, Director.REALS4);
            lb.vip(VIP6, 80, Director.TCP, 2, Director.IPIP, 0);
            lb.ring(2, 0, Director.REALS6);
            maps.addrs.put(new IpAddr(Director.realAddress(Director.REALS4[0])), 1);
            maps.addrs.put(new IpAddr(Director.realAddress(Director.REALS4[1])), 1);
            maps.addrs.put(new IpAddr(Director.realAddress(Director.REALS4[2])), 1);
            for (int id : Director.REALS6) maps.addrs.put(new IpAddr(Director.realAddress(id)), 1);
            for (boolean v6 : new boolean[] {false, true}) {
                byte[] client = Director.frame(inner(v6));
                byte[] tunnelled = lb.runFast(client).data();
                TestRun.Result r = TestRun.run(prog, tunnelled);
                assertEquals(PASS, r.retval());
                assertArrayEquals(Bytes.slice(client, 12, client.length), Bytes.slice(r.data(), 12, r.data().length));
            }
        }
    }
}
