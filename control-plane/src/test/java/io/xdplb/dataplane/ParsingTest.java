package io.xdplb.dataplane;

import io.xdplb.libbpf.TestRun;
import io.xdplb.model.Encap;
import io.xdplb.testing.RootOnly;
import io.xdplb.wire.Bytes;
import io.xdplb.wire.Packets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.xdplb.dataplane.BalancerUnderTest.ACK_ONLY;
import static io.xdplb.dataplane.BalancerUnderTest.CLIENT4;
import static io.xdplb.dataplane.BalancerUnderTest.CLIENT6;
import static io.xdplb.dataplane.BalancerUnderTest.CLIENT_MAC;
import static io.xdplb.dataplane.BalancerUnderTest.OWN_MAC;
import static io.xdplb.dataplane.BalancerUnderTest.PASS;
import static io.xdplb.dataplane.BalancerUnderTest.REALS4;
import static io.xdplb.dataplane.BalancerUnderTest.REALS6;
import static io.xdplb.dataplane.BalancerUnderTest.tcp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the director owns and what it leaves to the host: options, extension headers, VLAN, ARP, ND, other addresses. */
@RootOnly
class ParsingTest {
    private static BalancerUnderTest lb;

    @BeforeAll
    static void load() {
        lb = new BalancerUnderTest();
        lb.vip("203.0.113.10:80/tcp", Encap.IPIP, REALS4);
        lb.vip("[2001:db8:f::10]:80/tcp", Encap.IPIP, REALS6);
    }

    @AfterAll
    static void close() {
        lb.close();
    }

    private static void passesUntouched(byte[] frame, String counter) {
        long before = lb.stat(counter).packets();
        TestRun.Result r = lb.run(frame);
        assertEquals(PASS, r.retval());
        assertArrayEquals(frame, r.data(), "untouched");
        assertEquals(before + 1, lb.stat(counter).packets(), counter);
    }

    @Test
    void otherDestinationsPassUntouched() {
        passesUntouched(tcp(CLIENT4, 40000, "203.0.113.99", 80, ACK_ONLY), "pass_not_vip");
        passesUntouched(tcp(CLIENT4, 40000, "203.0.113.10", 8080, ACK_ONLY), "pass_not_vip");
        passesUntouched(tcp(CLIENT6, 40000, "2001:db8:f::99", 80, ACK_ONLY), "pass_not_vip");
        passesUntouched(BalancerUnderTest.udp(CLIENT4, 4000, "203.0.113.10", 80, Packets.bytes(10, 1), false), "pass_not_vip");
    }

    @Test
    void arpPassesUntouched() {
        passesUntouched(Packets.arp(CLIENT_MAC, Bytes.ip(CLIENT4), Bytes.ip("203.0.113.10")), "pass_not_ip");
    }

    @Test
    void neighbourSolicitationForAVipPassesUntouched() {
        byte[] src = Bytes.ip("fe80::1"), dst = Bytes.ip("ff02::1:ff00:10");
        byte[] target = Bytes.ip("2001:db8:f::10");
        byte[] ns = Packets.icmp6(src, dst, 135, 0, 0, target);
        passesUntouched(Packets.eth(Bytes.mac("33:33:ff:00:00:10"), CLIENT_MAC, Packets.ETH_IP6,
                Packets.ipv6(src, dst, Packets.ICMP6, 0, ns)), "pass_not_vip");
    }

    @Test
    void ipv4OptionsAreSkippedAndKept() {
        byte[] s = Bytes.ip(CLIENT4), d = Bytes.ip("203.0.113.10");
        byte[] options = {(byte) 0x94, 4, 0, 0, 1, 1, 1, 0}; // router alert, NOP, NOP, NOP, end
        byte[] in = Packets.eth(OWN_MAC, CLIENT_MAC, Packets.ETH_IP, Packets.ipv4(s, d, Packets.TCP, 0, Packets.DF, options,
                Packets.tcp(s, d, 40000, 80, ACK_ONLY, Packets.bytes(20, 3))));
        Encapsulated.check(lb.run(in), in, 14, false, REALS4);
    }

    @Test
    void ipv6ExtensionHeadersAreSkippedAndKept() {
        byte[] s = Bytes.ip(CLIENT6), d = Bytes.ip("2001:db8:f::10");
        byte[] payload = Bytes.concat(Packets.optionsHeader(Packets.DSTOPTS, 0), Packets.optionsHeader(Packets.TCP, 1),
                Packets.tcp(s, d, 40000, 80, ACK_ONLY, Packets.bytes(20, 4)));
        byte[] in = Packets.eth(OWN_MAC, CLIENT_MAC, Packets.ETH_IP6, Packets.ipv6(s, d, Packets.HOPOPTS, 0, payload));
        Encapsulated.check(lb.run(in), in, 14, false, REALS6);
    }

    @Test
    void aVlanTagIsKept() {
        byte[] s = Bytes.ip(CLIENT4), d = Bytes.ip("203.0.113.10");
        byte[] in = Packets.vlanEth(OWN_MAC, CLIENT_MAC, 0x2064, Packets.ETH_IP,
                Packets.ipv4(s, d, Packets.TCP, Packets.tcp(s, d, 40000, 80, ACK_ONLY, new byte[0])));
        Encapsulated.check(lb.run(in), in, 18, false, REALS4);
    }
}
