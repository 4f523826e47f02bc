package io.xdplb.model;

import io.xdplb.UserError;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EncapAndFlagsTest {
    @Test
    void encapNamesAndAbiNumbers() {
        // enum xdplb_encap in bpf/include/xdplb_abi.h
        assertEquals(0, Encap.IPIP.number());
        assertEquals(1, Encap.GUE.number());
        assertEquals(Encap.IPIP, Encap.parse("ipip"));
        assertEquals(Encap.GUE, Encap.parse("GUE"));
        assertEquals("gue", Encap.GUE.label());
        assertEquals(Encap.GUE, Encap.ofNumber(1));
        assertEquals("bad encap \"gre\": must be ipip or gue",
                assertThrows(UserError.class, () -> Encap.parse("gre")).getMessage());
    }

    @Test
    void flagBitsMatchTheAbi() {
        // enum xdplb_vip_flag in bpf/include/xdplb_abi.h
        assertEquals(1, VipFlag.NO_SPORT.bit());
        assertEquals(2, VipFlag.NO_CONNTRACK.bit());
        assertEquals(4, VipFlag.DPORT_ONLY.bit());
        assertEquals(VipFlag.NO_SPORT, VipFlag.parse("no-sport"));
        assertEquals(VipFlag.NO_CONNTRACK, VipFlag.parse("No-Conntrack"));
        assertEquals(VipFlag.DPORT_ONLY, VipFlag.parse("dport-only"));
    }

    @Test
    void flagsToAndFromMask() {
        assertEquals(0, VipFlag.toMask(List.of()));
        assertEquals(5, VipFlag.toMask(List.of(VipFlag.DPORT_ONLY, VipFlag.NO_SPORT)));
        assertEquals(EnumSet.of(VipFlag.NO_SPORT, VipFlag.DPORT_ONLY), VipFlag.fromMask(5));
        assertEquals(EnumSet.allOf(VipFlag.class), VipFlag.fromMask(7));
        assertEquals(Set.of(), VipFlag.fromMask(0));
        assertEquals("unknown VIP flag bits 0x8",
                assertThrows(IllegalArgumentException.class, () -> VipFlag.fromMask(9)).getMessage());
        assertEquals("no-sport,dport-only", VipFlag.format(Set.of(VipFlag.DPORT_ONLY, VipFlag.NO_SPORT)));
        assertEquals("none", VipFlag.format(Set.of()));
    }

    @Test
    void unknownFlagListsTheAllowedOnes() {
        assertEquals("unknown VIP flag \"sticky\": allowed flags are no-sport, no-conntrack, dport-only",
                assertThrows(UserError.class, () -> VipFlag.parse("sticky")).getMessage());
    }

    private static InetAddress ip(String s) {
        return IpAddresses.parse(s, "test address");
    }

    @Test
    void ipipCarries4in4And6in6And4in6() {
        Vip v4 = Vip.parse("192.0.2.10:80/tcp");
        Vip v6 = Vip.parse("[2001:db8::10]:80/tcp");
        assertNull(Encap.IPIP.problem(v4, ip("198.51.100.2")));
        assertNull(Encap.IPIP.problem(v6, ip("2001:db8:1::2")));
        assertNull(Encap.IPIP.problem(v4, ip("2001:db8:1::2"))); // IPv4 VIP, IPv6 real: 4in6
        assertDoesNotThrow(() -> Encap.IPIP.check(v4, ip("2001:db8:1::2")));
    }

    @Test
    void ipipCannotCarryIpv6VipToIpv4RealButGueCan() {
        Vip v6 = Vip.parse("[2001:db8::10]:443/udp");
        assertEquals("encap ipip cannot carry IPv6 VIP [2001:db8::10]:443/udp to IPv4 real 198.51.100.2 "
                        + "(no IPv6 in IPv4 IPIP): use --encap gue",
                assertThrows(UserError.class, () -> Encap.IPIP.check(v6, ip("198.51.100.2"))).getMessage());
        for (String real : List.of("198.51.100.2", "2001:db8:1::2")) {
            assertNull(Encap.GUE.problem(v6, ip(real)));
            assertNull(Encap.GUE.problem(Vip.parse("192.0.2.10:80/tcp"), ip(real)));
        }
    }
}
