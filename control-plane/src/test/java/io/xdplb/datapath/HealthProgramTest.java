package io.xdplb.datapath;

import io.xdplb.director.HealthProgram;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.libbpf.BpfProgram;
import io.xdplb.libbpf.TestRun;
import io.xdplb.maps.Counter;
import io.xdplb.maps.HcTarget;
import io.xdplb.maps.LbConfig;
import io.xdplb.maps.PerCpuArray;
import io.xdplb.maps.TypedMap;
import io.xdplb.maps.U32;
import io.xdplb.packet.Bytes;
import io.xdplb.packet.Ethernet;
import io.xdplb.packet.Icmp;
import io.xdplb.packet.Tcp;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

import static io.xdplb.datapath.Director.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * bpf/healthcheck.bpf.c, the director's tc egress program, run with bpf_prog_test_run on probe
 * packets as the agent's sockets send them (source: the director, destination: VIP:port, SO_MARK
 * naming one real): each comes out encapsulated to its real exactly as the XDP director would
 * encapsulate a client's packet (every byte checked by {@link Tunnel}), and whatever is not a
 * probe passes untouched.
 */
@RootOnly
class HealthProgramTest {
    static final int TC_ACT_OK = 0, TC_ACT_SHOT = 2;
    static final int ENCAPPED = 0, NO_TARGET = 1, DROP_MALFORMED = 2, DROP_ENCAP_FAILED = 3;
    static final Inet4Address DIRECTOR4 = Bytes.v4("192.0.2.10");
    static final Inet6Address DIRECTOR6 = Bytes.v6("2001:db8:1::10");
    static final int MARK = HealthProgram.MARK_BASE | 7;

    static BpfObject obj;
    static BpfProgram prog;
    static TypedMap<Integer, HcTarget> targets;
    static TypedMap<Integer, LbConfig> config;
    static PerCpuArray stats;

    @BeforeAll
    static void load() {
        obj = HealthProgram.SPEC.load();
        prog = obj.program(HealthProgram.NAME);
        targets = new TypedMap<>(obj.map("hc_targets"), U32.CODEC, HcTarget.CODEC);
        config = new TypedMap<>(obj.map("hc_config"), U32.CODEC, LbConfig.CODEC);
        stats = new PerCpuArray(obj.map("hc_stats"));
    }

    @AfterAll
    static void close() {
        if (obj != null) obj.close();
    }

    @BeforeEach
    void standardConfig() {
        config.put(0, new LbConfig(0, SRC_MAC, GW_MAC, SRC4, SRC6, GUE_PORT, 0, 0));
        targets.remove(MARK);
    }

    /** The probe's packet at tc egress: its own Ethernet header, not yet sent anywhere. */
    static byte[] probe(InetAddress vip, int port, boolean udp) {
        InetAddress src = vip instanceof Inet4Address ? DIRECTOR4 : DIRECTOR6;
        return frame(ip(src, vip, 0x10, udp ? udp(41000, port) : tcp(41000, port, Tcp.SYN)));
    }

    private Director.Run run(byte[] in, int mark, int expectedAction, int counted) {
        List<Counter> before = counters();
        TestRun.Result r = TestRun.runWithMark(prog, in, mark);
        List<Counter> after = counters();
        assertEquals(expectedAction, r.retval(), "tc action");
        for (int i = 0; i < before.size(); i++) {
            long moved = after.get(i).packets() - before.get(i).packets();
            assertEquals(i == counted ? 1 : 0, moved, "hc_stats[" + i + "] packets");
            if (i == counted) assertEquals(in.length, after.get(i).bytes() - before.get(i).bytes(), "hc_stats[" + i + "] bytes");
        }
        return new Director.Run(in, r.retval(), r.data(), null, null);
    }

    private static List<Counter> counters() {
        return List.of(stats.sum(ENCAPPED), stats.sum(NO_TARGET), stats.sum(DROP_MALFORMED), stats.sum(DROP_ENCAP_FAILED));
    }

    private void assertProbeGoesTo(InetAddress vip, boolean udp, InetAddress real, int encap) {
        targets.put(MARK, new HcTarget(real, encap, 0));
        Director.Run r = run(probe(vip, 80, udp), MARK, TC_ACT_OK, ENCAPPED);
        Tunnel.assertEncapsulated(r, encap, real);
    }

    @Test
    void aTcpProbeToAnIpv4VipGoesToItsRealInIpip() {
        assertProbeGoesTo(VIP4, false, realAddress(2), IPIP);
    }

    @Test
    void aUdpProbeToAnIpv4VipGoesToItsRealInGue() {
        assertProbeGoesTo(VIP4, true, realAddress(3), GUE);
    }

    @Test
    void anIpv6ProbeGoesSixInSixAndInGueOverIpv6WithItsUdpChecksum() {
        assertProbeGoesTo(VIP6, false, realAddress(4), IPIP);
        assertProbeGoesTo(VIP6, true, realAddress(5), GUE);
    }

    @Test
    void anIpv4ProbeToAnIpv6RealGoesFourInSix() {
        assertProbeGoesTo(VIP4, false, realAddress(6), IPIP);
        assertProbeGoesTo(VIP4, false, realAddress(6), GUE);
    }

    @Test
    void anIpv6ProbeToAnIpv4RealNeedsGue() {
        // as the XDP director: IPIP cannot carry IPv6 over IPv4, GUE can
        targets.put(MARK, new HcTarget(realAddress(1), IPIP, 0));
        run(probe(VIP6, 80, false), MARK, TC_ACT_SHOT, DROP_ENCAP_FAILED);
        assertProbeGoesTo(VIP6, false, realAddress(1), GUE);
    }

    @Test
    void withoutAnOuterSourceOfTheRealsFamilyTheProbeIsDropped() {
        config.put(0, new LbConfig(0, SRC_MAC, GW_MAC, SRC4, null, GUE_PORT, 0, 0));
        targets.put(MARK, new HcTarget(realAddress(4), IPIP, 0));
        run(probe(VIP4, 80, false), MARK, TC_ACT_SHOT, DROP_ENCAP_FAILED);
    }

    @Test
    void unmarkedPacketsPassUntouched() {
        targets.put(MARK, new HcTarget(realAddress(1), IPIP, 0));
        byte[] in = probe(VIP4, 80, false);
        for (int mark : new int[] {0, 7, 0x12340007}) {
            Director.Run r = run(in, mark, TC_ACT_OK, -1);
            assertArrayEquals(in, r.out(), "mark " + Integer.toHexString(mark) + ": the packet unchanged");
        }
    }

    @Test
    void aProbeMarkWithoutATargetIsDroppedNotSentToTheVip() {
        // sent as it is, it would reach the VIP's own route: this director, or another one
        run(probe(VIP4, 80, false), MARK, TC_ACT_SHOT, NO_TARGET);
    }

    @Test
    void markedPacketsThatAreNotTcpOrUdpProbesAreDropped() {
        targets.put(MARK, new HcTarget(realAddress(1), IPIP, 0));
        byte[] ping = frame(ip(DIRECTOR4, VIP4, 0, Icmp.echoRequest(1, 1, Bytes.pattern(8))));
        run(ping, MARK, TC_ACT_SHOT, DROP_MALFORMED);
        byte[] arp = Ethernet.frame(LB_MAC, ROUTER_MAC, 0x0806, new byte[28]);
        run(arp, MARK, TC_ACT_SHOT, DROP_MALFORMED);
        byte[] truncated = Bytes.slice(probe(VIP4, 80, false), 0, 14 + 20 + 2); // no room for the ports
        run(truncated, MARK, TC_ACT_SHOT, DROP_MALFORMED);
    }
}
