package io.xdplb.dataplane;

import io.xdplb.libbpf.TestRun;
import io.xdplb.maps.Counter;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.LbConfig;
import io.xdplb.maps.VipKey;
import io.xdplb.model.Encap;
import io.xdplb.testing.RootOnly;
import io.xdplb.wire.Bytes;
import io.xdplb.wire.Ip;
import io.xdplb.wire.Packets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.List;

import static io.xdplb.dataplane.BalancerUnderTest.ACK_ONLY;
import static io.xdplb.dataplane.BalancerUnderTest.CLIENT4;
import static io.xdplb.dataplane.BalancerUnderTest.CLIENT6;
import static io.xdplb.dataplane.BalancerUnderTest.CLIENT_MAC;
import static io.xdplb.dataplane.BalancerUnderTest.DROP;
import static io.xdplb.dataplane.BalancerUnderTest.OWN_MAC;
import static io.xdplb.dataplane.BalancerUnderTest.PASS;
import static io.xdplb.dataplane.BalancerUnderTest.REALS4;
import static io.xdplb.dataplane.BalancerUnderTest.REALS6;
import static io.xdplb.dataplane.BalancerUnderTest.REDIRECT;
import static io.xdplb.dataplane.BalancerUnderTest.TX;
import static io.xdplb.dataplane.BalancerUnderTest.tcp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Fragments, truncated and lying packets, missing configuration, empty rings, redirect, and exact counters. */
@RootOnly
class DropsAndCountersTest {
    private static final String VIP4 = "203.0.113.10";
    private BalancerUnderTest lb;

    @BeforeEach
    void load() {
        lb = new BalancerUnderTest();
        lb.vip(VIP4 + ":80/tcp", Encap.IPIP, REALS4);
        lb.vip("[2001:db8:f::10]:80/tcp", Encap.IPIP, REALS6);
        lb.vip(VIP4 + ":90/tcp", Encap.IPIP, List.of());
    }

    @AfterEach
    void close() {
        lb.close();
    }

    private void verdict(int expected, byte[] frame, String counter) {
        long before = lb.stat(counter).packets();
        TestRun.Result r = lb.run(frame);
        assertEquals(expected, r.retval(), counter);
        assertEquals(before + 1, lb.stat(counter).packets(), counter + " counted once");
        if (expected == PASS) assertArrayEquals(frame, r.data(), "passed untouched");
    }

    @Test
    void ipv4FragmentsToAVipAreDropped() {
        byte[] s = Bytes.ip(CLIENT4), d = Bytes.ip(VIP4);
        byte[] seg = Packets.tcp(s, d, 40000, 80, ACK_ONLY, Packets.bytes(64, 1));
        byte[] first = Packets.eth(OWN_MAC, CLIENT_MAC, Packets.ETH_IP, Packets.ipv4(s, d, Packets.TCP, 0, Packets.MF, new byte[0], seg));
        byte[] later = Packets.eth(OWN_MAC, CLIENT_MAC, Packets.ETH_IP, Packets.ipv4(s, d, Packets.TCP, 0, 100, new byte[0], seg));
        verdict(DROP, first, "drop_fragment");
        verdict(DROP, later, "drop_fragment");
    }

    @Test
    void ipv6FragmentHeadersToAVipAreDropped() {
        byte[] s = Bytes.ip(CLIENT6), d = Bytes.ip("2001:db8:f::10");
        byte[] payload = Bytes.concat(Packets.fragmentHeader(Packets.TCP, 0, true),
                Packets.tcp(s, d, 40000, 80, ACK_ONLY, Packets.bytes(64, 2)));
        verdict(DROP, Packets.eth(OWN_MAC, CLIENT_MAC, Packets.ETH_IP6, Packets.ipv6(s, d, Packets.FRAGMENT, 0, payload)),
                "drop_fragment");
    }

    /** A TCP packet to the VIP cut after n bytes of frame. */
    @ParameterizedTest
    @ValueSource(ints = {34 + 1, 34 + 8, 34 + 19})
    void aTcpHeaderCutShortIsDropped(int length) {
        byte[] full = tcp(CLIENT4, 40000, VIP4, 80, ACK_ONLY);
        byte[] cut = Bytes.slice(full, 0, length);
        Bytes.put16(cut, 16, length - 14); // an honest IP length: the TCP header itself is what is missing
        Bytes.put16(cut, 24, 0);
        Bytes.put16(cut, 24, io.xdplb.wire.Checksum.of(io.xdplb.wire.Checksum.sum(cut, 14, 20)));
        verdict(DROP, cut, "drop_malformed");
    }

    /** (bpf_prog_test_run takes no frame shorter than an Ethernet header.) */
    @ParameterizedTest
    @ValueSource(ints = {14, 14 + 10, 14 + 19})
    void framesCutBeforeTheDestinationIsReadablePass(int length) {
        byte[] cut = Bytes.slice(tcp(CLIENT4, 40000, VIP4, 80, ACK_ONLY), 0, length);
        verdict(PASS, cut, "pass_not_vip");
    }

    @Test
    void aTotalLengthLongerThanTheFrameIsDropped() {
        byte[] f = tcp(CLIENT4, 40000, VIP4, 80, ACK_ONLY);
        Bytes.put16(f, 16, 400);
        verdict(DROP, f, "drop_malformed");
        byte[] g = tcp(CLIENT6, 40000, "2001:db8:f::10", 80, ACK_ONLY);
        Bytes.put16(g, 18, 400);
        verdict(DROP, g, "drop_malformed");
    }

    @Test
    void aVipWithoutRealsDropsAndCounts() {
        verdict(DROP, tcp(CLIENT4, 40000, VIP4, 90, Packets.SYN), "drop_no_real");
    }

    @Test
    void withoutConfigurationNothingIsSent() {
        lb.maps.lbConfig.put(0, new LbConfig(0, new byte[6], new byte[6], null, null, 0, 0, 0));
        verdict(DROP, tcp(CLIENT4, 40000, VIP4, 80, Packets.SYN), "drop_no_config");
    }

    @Test
    void anotherEgressInterfaceMeansRedirect() {
        lb.lbConfig(7, 1500);
        verdict(REDIRECT, tcp(CLIENT4, 40000, VIP4, 80, Packets.SYN), "redirect");
        lb.lbConfig(1, 1500); // the test run's ingress interface is lo (1): on a stick again
        verdict(TX, tcp(CLIENT4, 40000, VIP4, 80, Packets.SYN), "tx");
    }

    @Test
    void everyCounterMovesByExactlyWhatHappened() {
        byte[] syn = tcp(CLIENT4, 40000, VIP4, 80, Packets.SYN, 0, Packets.bytes(10, 5));
        byte[] ack = tcp(CLIENT4, 40000, VIP4, 80, ACK_ONLY, 0, Packets.bytes(20, 6));
        int vipId = lb.maps.vip2tnl.get(new VipKey(InetAddress.ofLiteral(VIP4), 80, Packets.TCP)).orElseThrow().vipId();
        String real = new Ip(lb.run(syn).data(), 14).dst();
        int realId = lb.maps.reals.entries().entrySet().stream()
                .filter(e -> new IpAddr(InetAddress.ofLiteral(real)).equals(e.getValue())).findFirst().orElseThrow().getKey();
        assertEquals(new Counter(1, syn.length), lb.maps.vipStats.sum(vipId));
        assertEquals(new Counter(1, syn.length), lb.maps.realStats.sum(realId));
        assertEquals(new Counter(1, syn.length), lb.stat("tx"));
        assertEquals(new Counter(1, syn.length), lb.stat("ring_used"));
        assertEquals(0, lb.stat("conn_miss").packets(), "a SYN does not read the table");

        lb.run(ack);
        assertEquals(new Counter(2, syn.length + ack.length), lb.maps.vipStats.sum(vipId));
        assertEquals(new Counter(2, syn.length + ack.length), lb.maps.realStats.sum(realId));
        assertEquals(new Counter(1, ack.length), lb.stat("conn_hit"));
        assertEquals(new Counter(2, syn.length + ack.length), lb.stat("tx"));
        for (String other : List.of("pass_not_ip", "pass_not_vip", "redirect", "drop_malformed", "drop_fragment",
                "drop_no_real", "drop_no_config", "drop_encap_failed", "drop_unsupported", "too_big_sent")) {
            assertEquals(Counter.ZERO, lb.stat(other), other);
        }
    }
}
