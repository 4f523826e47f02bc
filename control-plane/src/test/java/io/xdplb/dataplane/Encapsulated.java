package io.xdplb.dataplane;

import io.xdplb.libbpf.TestRun;
import io.xdplb.wire.Bytes;
import io.xdplb.wire.Checksum;
import io.xdplb.wire.Ip;
import io.xdplb.wire.Packets;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks every byte of an encapsulated frame that matters: Ethernet, the outer IP header
 * (lengths, TTL, DSCP, DF, checksum), UDP for GUE (ports, length, checksum), and that the
 * inner packet is the client's, untouched. Returns the outer header for further checks.
 */
final class Encapsulated {
    private Encapsulated() {}

    /** l2 = 14, or 18 with a VLAN tag (then the tag must be kept). */
    static Ip check(TestRun.Result r, byte[] input, int l2, boolean gue, List<String> reals) {
        assertEquals(BalancerUnderTest.TX, r.retval(), "verdict");
        byte[] out = r.data();
        assertArrayEquals(BalancerUnderTest.GW_MAC, Bytes.slice(out, 0, 6), "destination MAC = next hop");
        assertArrayEquals(BalancerUnderTest.OWN_MAC, Bytes.slice(out, 6, 12), "source MAC = own interface");
        if (l2 == 18) assertArrayEquals(Bytes.slice(input, 12, 16), Bytes.slice(out, 12, 16), "VLAN tag kept");
        Ip outer = new Ip(out, l2);
        Ip inner0 = new Ip(input, l2);
        assertEquals(outer.v4() ? Packets.ETH_IP : Packets.ETH_IP6, Bytes.u16(out, l2 - 2), "EtherType of the outer header");
        assertEquals(64, outer.ttl(), "outer TTL");
        assertEquals(inner0.tos(), outer.tos(), "DSCP/ECN copied");
        assertEquals(outer.v4() ? BalancerUnderTest.SRC4 : BalancerUnderTest.SRC6, outer.src(), "outer source");
        assertTrue(reals.contains(outer.dst()), "outer destination is a real: " + outer.dst());
        int innerLen = inner0.totalLength();
        int overhead = outer.headerLength() + (gue ? 8 : 0);
        assertEquals(innerLen + overhead, outer.totalLength(), "outer length");
        if (outer.v4()) {
            assertEquals(0, outer.id(), "outer id");
            assertEquals(Packets.DF, outer.frag(), "outer DF");
            assertTrue(outer.headerChecksumValid(), "outer IPv4 header checksum");
        }
        int innerOff = outer.payload() + (gue ? 8 : 0);
        if (gue) {
            int udp = outer.payload();
            assertEquals(Packets.UDP, outer.proto());
            assertEquals(6080, Bytes.u16(out, udp + 2), "GUE port");
            assertTrue(Bytes.u16(out, udp) >= 32768, "GUE source port carries entropy in 32768..65535");
            assertEquals(8 + innerLen, Bytes.u16(out, udp + 4), "UDP length");
            int csum = Bytes.u16(out, udp + 6);
            if (!outer.v4()) assertTrue(csum != 0 && outer.l4ChecksumValid(udp, 8 + innerLen, Packets.UDP), "GUE/IPv6 UDP checksum");
            else assertTrue(csum == 0 || outer.l4ChecksumValid(udp, 8 + innerLen, Packets.UDP), "GUE/IPv4 UDP checksum 0 or valid");
        } else {
            assertEquals(inner0.v4() ? Packets.IPIP : Packets.IPV6, outer.proto(), "IPIP protocol");
        }
        assertArrayEquals(inner0.bytes(), Bytes.slice(out, innerOff, innerOff + innerLen), "inner packet untouched");
        assertEquals(innerOff + innerLen + (input.length - l2 - innerLen), out.length, "frame length (padding carried)");
        return outer;
    }

    static int checksumOf(byte[] b) {
        return Checksum.fold(Checksum.sum(b, 0, b.length));
    }

    static boolean same(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }
}
