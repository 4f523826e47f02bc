package io.xdplb.dataplane;

import io.xdplb.libbpf.TestRun;
import io.xdplb.model.Encap;
import io.xdplb.testing.RootOnly;
import io.xdplb.wire.Bytes;
import io.xdplb.wire.Ip;
import io.xdplb.wire.Packets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static io.xdplb.dataplane.BalancerUnderTest.ACK_ONLY;
import static io.xdplb.dataplane.BalancerUnderTest.CLIENT4;
import static io.xdplb.dataplane.BalancerUnderTest.CLIENT6;
import static io.xdplb.dataplane.BalancerUnderTest.REALS4;
import static io.xdplb.dataplane.BalancerUnderTest.REALS6;
import static io.xdplb.dataplane.BalancerUnderTest.tcp;
import static io.xdplb.dataplane.BalancerUnderTest.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every encapsulation × family combination, byte by byte. */
@RootOnly
class EncapsulationTest {
    private static BalancerUnderTest lb;

    @BeforeAll
    static void load() {
        lb = new BalancerUnderTest();
        lb.vip("203.0.113.10:80/tcp", Encap.IPIP, REALS4);       // 4in4
        lb.vip("[2001:db8:f::10]:80/tcp", Encap.IPIP, REALS6);   // 6in6
        lb.vip("203.0.113.10:81/tcp", Encap.IPIP, REALS6);       // 4in6
        lb.vip("203.0.113.10:82/tcp", Encap.GUE, REALS4);        // GUE, v4 in v4
        lb.vip("[2001:db8:f::10]:82/tcp", Encap.GUE, REALS4);    // GUE, v6 in v4: an IPv6 VIP to IPv4 reals
        lb.vip("203.0.113.10:83/tcp", Encap.GUE, REALS6);        // GUE, v4 in v6
        lb.vip("[2001:db8:f::10]:83/tcp", Encap.GUE, REALS6);    // GUE, v6 in v6
        lb.vip("203.0.113.10:53/udp", Encap.GUE, REALS6);        // GUE over IPv6 of a UDP datagram without checksum
    }

    @AfterAll
    static void close() {
        lb.close();
    }

    private static Ip encap(byte[] in, boolean gue, java.util.List<String> reals) {
        TestRun.Result r = lb.run(in);
        return Encapsulated.check(r, in, 14, gue, reals);
    }

    @Test
    void ipip4in4() {
        Ip outer = encap(tcp(CLIENT4, 40000, "203.0.113.10", 80, ACK_ONLY, 0xb8, Packets.bytes(100, 1)), false, REALS4);
        assertTrue(outer.v4());
    }

    @Test
    void ipip6in6() {
        Ip outer = encap(tcp(CLIENT6, 40000, "2001:db8:f::10", 80, ACK_ONLY, 0x2e, Packets.bytes(100, 2)), false, REALS6);
        assertEquals(6, outer.version());
    }

    @Test
    void ipip4in6() {
        Ip outer = encap(tcp(CLIENT4, 40001, "203.0.113.10", 81, ACK_ONLY, 0x10, Packets.bytes(33, 3)), false, REALS6);
        assertEquals(Packets.IPIP, outer.proto());
        assertEquals(6, outer.version());
    }

    @Test
    void gue4in4() {
        encap(tcp(CLIENT4, 40002, "203.0.113.10", 82, ACK_ONLY, 0x48, Packets.bytes(7, 4)), true, REALS4);
    }

    @Test
    void gue6in4ReachesIpv4RealsFromAnIpv6Vip() {
        Ip outer = encap(tcp(CLIENT6, 40003, "2001:db8:f::10", 82, ACK_ONLY, 0, Packets.bytes(64, 5)), true, REALS4);
        assertTrue(outer.v4());
    }

    @Test
    void gue4in6WithAValidUdpChecksum() {
        encap(tcp(CLIENT4, 40004, "203.0.113.10", 83, ACK_ONLY, 0, Packets.bytes(1001, 6)), true, REALS6);
    }

    @Test
    void gue6in6WithAValidUdpChecksumOddLength() {
        encap(tcp(CLIENT6, 40005, "2001:db8:f::10", 83, ACK_ONLY, 0, Packets.bytes(777, 7)), true, REALS6);
    }

    @Test
    void gueOverIpv6ChecksumsAUdpDatagramThatHasNone() {
        encap(udp(CLIENT4, 5353, "203.0.113.10", 53, Packets.bytes(45, 8), true), true, REALS6);
    }

    @Test
    void gueSourcePortFollowsTheFlow() {
        Set<Integer> ports = new HashSet<>();
        for (int sport = 41000; sport < 41020; sport++) {
            byte[] out = lb.run(tcp(CLIENT4, sport, "203.0.113.10", 82, ACK_ONLY)).data();
            ports.add(Bytes.u16(out, 14 + 20));
        }
        assertTrue(ports.size() >= 15, "20 flows, distinct GUE source ports: " + ports.size());
        byte[] again1 = lb.run(tcp(CLIENT4, 41000, "203.0.113.10", 82, ACK_ONLY)).data();
        byte[] again2 = lb.run(tcp(CLIENT4, 41000, "203.0.113.10", 82, ACK_ONLY)).data();
        assertEquals(Bytes.u16(again1, 34), Bytes.u16(again2, 34), "the same flow keeps its source port");
    }

    @Test
    void paddingAfterTheIpPacketIsCarriedAlong() {
        byte[] in = Bytes.concat(tcp(CLIENT4, 40006, "203.0.113.10", 80, ACK_ONLY), new byte[6]); // 54 + 6 = 60-byte minimum frame
        Encapsulated.check(lb.run(in), in, 14, false, REALS4);
    }
}
