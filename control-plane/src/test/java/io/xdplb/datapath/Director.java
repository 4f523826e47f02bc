package io.xdplb.datapath;

import io.xdplb.director.BalancerMaps;
import io.xdplb.director.BalancerObject;
import io.xdplb.director.ConnTables;
import io.xdplb.maps.FloodState;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.libbpf.BpfProgram;
import io.xdplb.libbpf.TestRun;
import io.xdplb.maps.Counter;
import io.xdplb.maps.FlowKey;
import io.xdplb.maps.FlowState;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.LbConfig;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.model.Sizes;
import io.xdplb.packet.Bytes;
import io.xdplb.packet.Ethernet;
import io.xdplb.packet.Frame;
import io.xdplb.packet.Ip;
import io.xdplb.packet.Ipv4;
import io.xdplb.packet.Ipv6;
import io.xdplb.packet.Payload;
import io.xdplb.packet.Tcp;
import io.xdplb.packet.Udp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shared fixture of the data-path tests: the real bpf/balancer.bpf.o loaded with small maps,
 * filled directly through the typed map API, frames run with bpf_prog_test_run, and every counter
 * read before and after each run so that a test can state exactly what was counted. Every run
 * happens on one CPU ({@link OneCpu}), so a flow's packets meet its entry in that CPU's table.
 */
final class Director implements AutoCloseable {
    static final int XDP_ABORTED = 0, XDP_DROP = 1, XDP_PASS = 2, XDP_TX = 3, XDP_REDIRECT = 4;
    static final int IPIP = 0, GUE = 1;
    static final int TCP = Ip.TCP, UDP = Ip.UDP;
    static final int NO_SPORT = FlowHash.NO_SPORT, NO_CONNTRACK = FlowHash.NO_CONNTRACK, DPORT_ONLY = FlowHash.DPORT_ONLY;

    static final int MAX_VIPS = 16, MAX_REALS = 64, RING = 1021;
    static final Sizes SIZES = new Sizes(MAX_VIPS, MAX_REALS, RING, 4096);

    /** The director's own MAC (frames arrive to it), and the router that sent them. */
    static final byte[] LB_MAC = Bytes.mac("02:00:00:00:00:0a"), ROUTER_MAC = Bytes.mac("02:00:00:00:00:fe");
    /** lb_config.src_mac / dst_mac: deliberately not the MACs of the received frame. */
    static final byte[] SRC_MAC = Bytes.mac("02:00:00:00:01:0b"), GW_MAC = Bytes.mac("02:00:00:00:01:01");
    static final Inet4Address SRC4 = Bytes.v4("192.0.2.1");
    static final Inet6Address SRC6 = Bytes.v6("2001:db8:1::1");
    static final int GUE_PORT = 6080;
    static final Inet4Address CLIENT4 = Bytes.v4("198.51.100.7");
    static final Inet6Address CLIENT6 = Bytes.v6("2001:db8:c::7");
    static final Inet4Address VIP4 = Bytes.v4("203.0.113.10");
    static final Inet6Address VIP6 = Bytes.v6("2001:db8:f::10");
    /** Reals by id: 1..3 IPv4, 4..6 IPv6. */
    static final List<InetAddress> REALS = List.of(Bytes.v4("192.0.2.11"), Bytes.v4("192.0.2.12"),
            Bytes.v4("192.0.2.13"), Bytes.v6("2001:db8:1::11"), Bytes.v6("2001:db8:1::12"), Bytes.v6("2001:db8:1::13"));
    static final int[] REALS4 = {1, 2, 3}, REALS6 = {4, 5, 6};
    static final int INGRESS_IFINDEX = 1; // bpf_prog_test_run runs XDP on lo

    final BpfObject obj;
    final BalancerMaps maps;
    final BpfProgram prog;

    Director() {
        obj = BalancerObject.load(SIZES);
        maps = BalancerMaps.of(obj::map);
        prog = obj.program(BalancerObject.NAME);
    }

    /** Empties every table (counters are read as deltas and stay), then the standard configuration. */
    void reset() {
        for (VipKey k : List.copyOf(maps.vip2tnl.entries().keySet())) maps.vip2tnl.remove(k);
        for (IpAddr k : List.copyOf(maps.vipAddrs.entries().keySet())) maps.vipAddrs.remove(k);
        maps.connTable.clear();
        maps.floodState.putEverywhere(0, new FloodState(0, 0, false));
        List<Integer> ids = new ArrayList<>();
        List<IpAddr> none = new ArrayList<>();
        for (int i = 0; i < MAX_REALS; i++) {
            ids.add(i);
            none.add(new IpAddr(null));
        }
        maps.reals.putAll(ids, none);
        for (int i = 0; i < REALS.size(); i++) real(i + 1, REALS.get(i));
        List<Integer> slots = new ArrayList<>(), zeros = new ArrayList<>();
        for (int i = 0; i < MAX_VIPS * 2 * RING; i++) {
            slots.add(i);
            zeros.add(0);
        }
        maps.ring.putAll(slots, zeros);
        config(0, 0);
    }

    /** lb_config with both tunnel sources, the standard MACs and GUE port; no flood threshold. */
    void config(int egressIfindex, int mtu) {
        config(egressIfindex, mtu, 0);
    }

    void config(int egressIfindex, int mtu, int floodThreshold) {
        maps.lbConfig.put(0, new LbConfig(egressIfindex, SRC_MAC, GW_MAC, SRC4, SRC6, GUE_PORT, mtu, floodThreshold));
    }

    void real(int id, InetAddress address) {
        maps.reals.put(id, new IpAddr(address));
    }

    /** Adds a vip2tnl entry (ring slot 0) and marks its address in vip_addrs. */
    VipMeta vip(InetAddress addr, int port, int proto, int vipId, int encap, int flags) {
        VipMeta meta = new VipMeta(vipId, flags, encap, 0);
        maps.vip2tnl.put(new VipKey(addr, port, proto), meta);
        IpAddr a = new IpAddr(addr);
        maps.vipAddrs.put(a, maps.vipAddrs.get(a).orElse(0) + 1);
        return meta;
    }

    /** Fills a VIP's ring slot with the reals in turn: slot i holds realIds[i % n]. */
    void ring(int vipId, int ringSlot, int... realIds) {
        List<Integer> keys = new ArrayList<>(), values = new ArrayList<>();
        for (int i = 0; i < RING; i++) {
            keys.add((vipId * 2 + ringSlot) * RING + i);
            values.add(realIds[i % realIds.length]);
        }
        maps.ring.putAll(keys, values);
    }

    /** The real id a ring filled by ring(vipId, slot, realIds) holds at the flow's hash. */
    static int ringChoice(int hash, int... realIds) {
        return realIds[FlowHash.slot(hash, RING) % realIds.length];
    }

    static InetAddress realAddress(int id) {
        return REALS.get(id - 1);
    }

    // ---- frames ------------------------------------------------------------------------------

    /** An Ethernet frame from the router to the director carrying this IP packet. */
    static byte[] frame(byte[] ip) {
        return Ethernet.frame(LB_MAC, ROUTER_MAC, Ethernet.typeOf(ip), ip);
    }

    static byte[] tagged(int tci, byte[] ip) {
        return Ethernet.tagged(LB_MAC, ROUTER_MAC, tci, Ethernet.typeOf(ip), ip);
    }

    /** An IP packet from src to dst: DF set for IPv4, TOS / traffic class tos. */
    static byte[] ip(InetAddress src, InetAddress dst, int tos, Payload p) {
        if (src instanceof Inet4Address) {
            return Ipv4.builder().src(src).dst(dst).tos(tos).df(true).id(0x4242).ttl(57).payload(p).build();
        }
        return Ipv6.builder().src(src).dst(dst).trafficClass(tos).flowLabel(0x12345).hopLimit(57).payload(p).build();
    }

    static Tcp.Builder tcp(int sport, int dport, int flags) {
        return Tcp.builder().ports(sport, dport).seq(1000).ack(flags == Tcp.SYN ? 0 : 2000).flags(flags)
                .data(flags == Tcp.SYN ? new byte[0] : Bytes.pattern(37));
    }

    static Udp.Builder udp(int sport, int dport) {
        return Udp.builder().ports(sport, dport).data(Bytes.pattern(23));
    }

    /** A TCP ACK with data: a packet of an established flow. */
    static byte[] tcpFrame(InetAddress src, int sport, InetAddress dst, int dport) {
        return frame(ip(src, dst, 0, tcp(sport, dport, Tcp.ACK | Tcp.PSH)));
    }

    static byte[] synFrame(InetAddress src, int sport, InetAddress dst, int dport) {
        return frame(ip(src, dst, 0, tcp(sport, dport, Tcp.SYN)));
    }

    static FlowKey flow(InetAddress src, int sport, InetAddress dst, int dport, int proto) {
        return new FlowKey(src, dst, sport, dport, proto);
    }

    // ---- runs and counters -------------------------------------------------------------------

    /** Every counter the program keeps, summed over CPUs. */
    record Counters(Counter[] lb, Counter[] vip, Counter[] real) {}

    Counters counters() {
        Counter[] lb = new Counter[Stat.values().length], vip = new Counter[MAX_VIPS], real = new Counter[MAX_REALS];
        for (int i = 0; i < lb.length; i++) lb[i] = maps.lbStats.sum(i);
        for (int i = 0; i < vip.length; i++) vip[i] = maps.vipStats.sum(i);
        for (int i = 0; i < real.length; i++) real[i] = maps.realStats.sum(i);
        return new Counters(lb, vip, real);
    }

    /** One program run: the frame in, the verdict and frame out, and the counters around it. */
    record Run(byte[] in, int verdict, byte[] out, Counters before, Counters after) {
        Frame frame() {
            return Frame.parse(out);
        }

        Counter delta(Stat s) {
            return minus(after.lb[s.ordinal()], before.lb[s.ordinal()]);
        }

        private static Counter minus(Counter a, Counter b) {
            return new Counter(a.packets() - b.packets(), a.bytes() - b.bytes());
        }

        /** Exactly these lb_stats went up, each by one packet of the received frame's length; no others moved. */
        Run counted(Stat... stats) {
            Set<Stat> expected = stats.length == 0 ? EnumSet.noneOf(Stat.class) : EnumSet.copyOf(Arrays.asList(stats));
            for (Stat s : Stat.values()) {
                Counter want = expected.contains(s) ? new Counter(1, in.length) : Counter.ZERO;
                assertEquals(want, delta(s), "lb_stats[" + s + "]");
            }
            return this;
        }

        /** vip_stats[vipId] and real_stats[realId] each went up by this frame, no other VIP or real moved. */
        Run countedFor(int vipId, int realId) {
            for (int i = 0; i < MAX_VIPS; i++) {
                assertEquals(i == vipId ? new Counter(1, in.length) : Counter.ZERO, minus(after.vip[i], before.vip[i]),
                        "vip_stats[" + i + "]");
            }
            for (int i = 0; i < MAX_REALS; i++) {
                assertEquals(i == realId ? new Counter(1, in.length) : Counter.ZERO, minus(after.real[i], before.real[i]),
                        "real_stats[" + i + "]");
            }
            return this;
        }

        /** No vip_stats or real_stats entry moved. */
        Run noVipOrRealCounted() {
            return countedFor(-1, -1);
        }

        Run verdict(int expected) {
            assertEquals(expected, verdict, "XDP verdict (0 aborted, 1 drop, 2 pass, 3 tx, 4 redirect)");
            return this;
        }

        /** XDP_PASS with the frame exactly as it came in. */
        Run passedUntouched() {
            verdict(XDP_PASS);
            assertArrayEquals(in, out, "a passed frame is not modified");
            return this;
        }
    }

    Run run(byte[] frame) {
        Counters before = counters();
        TestRun.Result r = OneCpu.call(() -> TestRun.run(prog, frame));
        return new Run(frame, r.retval(), r.data(), before, counters());
    }

    /** The same run on another CPU (its own connection table and flood state). */
    Run runOn(int cpu, byte[] frame) {
        Counters before = counters();
        TestRun.Result r = OneCpu.call(cpu, () -> TestRun.run(prog, frame));
        return new Run(frame, r.retval(), r.data(), before, counters());
    }

    /** A run without reading counters (bulk runs). */
    TestRun.Result runFast(byte[] frame) {
        return OneCpu.call(() -> TestRun.run(prog, frame));
    }

    /** The flow's entry in the table of any CPU (runs happen on {@link OneCpu#CPU}: it is there). */
    FlowState conn(FlowKey k) {
        return maps.connTable.find(k).map(ConnTables.Entry::state).orElse(null);
    }

    @Override
    public void close() {
        obj.close();
    }

}
