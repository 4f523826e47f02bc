package io.xdplb.dataplane;

import io.xdplb.director.StatNames;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.libbpf.BpfProgram;
import io.xdplb.libbpf.TestRun;
import io.xdplb.maps.DecapConfig;
import io.xdplb.maps.IpAddr;
import io.xdplb.model.Encap;
import io.xdplb.realserver.DecapMaps;
import io.xdplb.realserver.DecapProgram;
import io.xdplb.testing.RootOnly;
import io.xdplb.wire.Bytes;
import io.xdplb.wire.Packets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static io.xdplb.dataplane.BalancerUnderTest.ACK_ONLY;
import static io.xdplb.dataplane.BalancerUnderTest.CLIENT4;
import static io.xdplb.dataplane.BalancerUnderTest.CLIENT6;
import static io.xdplb.dataplane.BalancerUnderTest.DROP;
import static io.xdplb.dataplane.BalancerUnderTest.PASS;
import static io.xdplb.dataplane.BalancerUnderTest.tcp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The real server's program: strips every tunnel kind addressed to it, refuses broken ones, leaves the rest. */
@RootOnly
class DecapTest {
    private static final String ME4 = "192.0.2.11", ME6 = "2001:db8:1::11", DIRECTOR4 = "192.0.2.10", DIRECTOR6 = "2001:db8:1::10";
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
        maps.addrs.put(new IpAddr(InetAddress.ofLiteral(ME4)), 1);
        maps.addrs.put(new IpAddr(InetAddress.ofLiteral(ME6)), 1);
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

    /** The client's IP packet (no Ethernet) of a TCP segment to a VIP. */
    private static byte[] inner(boolean v6) {
        byte[] f = v6 ? tcp(CLIENT6, 40000, "2001:db8:f::10", 80, ACK_ONLY, 0, Packets.bytes(30, 1))
                : tcp(CLIENT4, 40000, "203.0.113.10", 80, ACK_ONLY, 0, Packets.bytes(30, 1));
        return Bytes.slice(f, 14, f.length);
    }

    private static byte[] outer(boolean outerV6, int proto, byte[] payload, String dst) {
        return outerV6
                ? Packets.eth(ME_MAC, GW_MAC, Packets.ETH_IP6, Packets.ipv6(Bytes.ip(DIRECTOR6), Bytes.ip(dst), proto, 0, payload))
                : Packets.eth(ME_MAC, GW_MAC, Packets.ETH_IP, Packets.ipv4(Bytes.ip(DIRECTOR4), Bytes.ip(dst), proto, payload));
    }

    private static byte[] gue(boolean outerV6, byte[] innerPacket, int port) {
        byte[] s = Bytes.ip(outerV6 ? DIRECTOR6 : DIRECTOR4), d = Bytes.ip(outerV6 ? ME6 : ME4);
        return outer(outerV6, Packets.UDP, Packets.udp(s, d, 40001, port, innerPacket, !outerV6), outerV6 ? ME6 : ME4);
    }

    /** Stripped: the same MACs, the inner family's EtherType, then exactly the inner packet. */
    private static void stripped(byte[] in, byte[] innerPacket, String counter) {
        long before = count(counter);
        TestRun.Result r = TestRun.run(prog, in);
        assertEquals(PASS, r.retval());
        byte[] out = r.data();
        assertArrayEquals(Bytes.slice(in, 0, 12), Bytes.slice(out, 0, 12), "MACs kept");
        assertEquals((innerPacket[0] >> 4) == 4 ? Packets.ETH_IP : Packets.ETH_IP6, Bytes.u16(out, 12));
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
        stripped(outer(false, Packets.IPIP, inner(false), ME4), inner(false), "ipip4");
        stripped(outer(true, Packets.IPV6, inner(true), ME6), inner(true), "ipip6");
        stripped(outer(true, Packets.IPIP, inner(false), ME6), inner(false), "ip4_in_ip6");
        stripped(outer(false, Packets.IPV6, inner(true), ME4), inner(true), "ip6_in_ip4");
    }

    @Test
    void gueOfEveryFamilyPairIsStripped() {
        long gue = count("gue");
        stripped(gue(false, inner(false), 6080), inner(false), "ipip4");
        stripped(gue(false, inner(true), 6080), inner(true), "ip6_in_ip4");
        stripped(gue(true, inner(false), 6080), inner(false), "ip4_in_ip6");
        stripped(gue(true, inner(true), 6080), inner(true), "ipip6");
        assertEquals(gue + 4, count("gue"));
    }

    @Test
    void aVlanTagIsKeptAndItsEtherTypeFixed() {
        byte[] in = Packets.vlanEth(ME_MAC, GW_MAC, 0x0064, Packets.ETH_IP,
                Packets.ipv4(Bytes.ip(DIRECTOR4), Bytes.ip(ME4), Packets.IPV6, inner(true)));
        TestRun.Result r = TestRun.run(prog, in);
        assertEquals(PASS, r.retval());
        byte[] out = r.data();
        assertArrayEquals(Bytes.slice(in, 0, 16), Bytes.slice(out, 0, 16), "MACs, 802.1Q and TCI kept");
        assertEquals(Packets.ETH_IP6, Bytes.u16(out, 16), "the tag now announces the inner family");
        assertArrayEquals(inner(true), Bytes.slice(out, 18, out.length));
    }

    @Test
    void whatIsNotATunnelForUsPassesUntouched() {
        untouched(outer(false, Packets.IPIP, inner(false), "192.0.2.99"), PASS, "pass_other");   // another host's tunnel
        untouched(gue(false, inner(false), 7000), PASS, "pass_other");                          // another UDP port
        untouched(tcp(CLIENT4, 40000, ME4, 22, ACK_ONLY), PASS, "pass_other");                  // plain traffic to us
        untouched(Packets.arp(GW_MAC, Bytes.ip(DIRECTOR4), Bytes.ip(ME4)), PASS, "pass_other");
    }

    @Test
    void brokenTunnelsForUsAreDropped() {
        byte[] cutInner = outer(false, Packets.IPIP, Bytes.slice(inner(false), 0, 12), ME4);
        untouched(cutInner, DROP, "drop_malformed");
        byte[] wrongVersion = outer(false, Packets.IPIP, inner(true), ME4);                     // IPIP must carry IPv4
        untouched(wrongVersion, DROP, "drop_malformed");
        byte[] lying = outer(false, Packets.IPIP, inner(false), ME4);
        Bytes.put16(lying, 16, 1400);                                                           // total length past the frame
        untouched(lying, DROP, "drop_malformed");
    }

    @Test
    void whatTheDirectorSendsTheRealStripsBackToTheClientsPacket() {
        try (BalancerUnderTest lb = new BalancerUnderTest()) {
            lb.vip("203.0.113.10:80/tcp", Encap.GUE, List.of(ME4));
            lb.vip("[2001:db8:f::10]:80/tcp", Encap.IPIP, List.of(ME6));
            for (boolean v6 : new boolean[] {false, true}) {
                byte[] client = v6 ? tcp(CLIENT6, 40000, "2001:db8:f::10", 80, ACK_ONLY) : tcp(CLIENT4, 40000, "203.0.113.10", 80, ACK_ONLY);
                byte[] tunnelled = lb.run(client).data();
                TestRun.Result r = TestRun.run(prog, tunnelled);
                assertEquals(PASS, r.retval());
                assertArrayEquals(Bytes.slice(client, 12, client.length), Bytes.slice(r.data(), 12, r.data().length));
            }
        }
    }
}
