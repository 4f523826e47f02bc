package io.xdplb.service.trace;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.ObjectSpec;
import io.xdplb.attach.PinnedObject;
import io.xdplb.director.ConnTables;
import io.xdplb.director.BalancerMaps;
import io.xdplb.director.BalancerObject;
import io.xdplb.director.StatNames;
import io.xdplb.libbpf.BpfMap;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.libbpf.BpfProgram;
import io.xdplb.libbpf.TestRun;
import io.xdplb.maps.Addresses;
import io.xdplb.maps.Counter;
import io.xdplb.maps.FlowKey;
import io.xdplb.maps.FloodState;
import io.xdplb.maps.FlowState;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.LbConfig;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.model.Director;
import io.xdplb.model.Encap;
import io.xdplb.model.Proto;
import io.xdplb.model.Sizes;
import io.xdplb.model.Vip;
import io.xdplb.model.VipFlag;
import io.xdplb.net.Interfaces;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * `xdplb trace`: runs the director's own program on one packet against the live
 * configuration, without changing anything live. It loads a private instance of
 * balancer.bpf.o whose read-only maps (VIPs, reals, rings, lb_config) are the instance's
 * pinned ones, reused by descriptor, and whose maps the program writes (connection table,
 * counters) are its own, empty, the connection table seeded with the flow's live entry. The
 * program runs once with bpf_prog_test_run; what it counted, wrote and sent is read from the
 * private maps and the output frame, and the private object is closed (gone) afterwards.
 */
public final class Tracer {
    private Tracer() {}

    /** Maps the program only reads: shared with the live instance. */
    static final List<String> SHARED = List.of("vip2tnl", "vip_addrs", "reals", "ring", "lb_config");
    // conn_table (the per-CPU tables), vip_stats, real_stats, lb_stats, flood_state: the program
    // writes them, so trace gets its own.

    private static final String[] ACTIONS = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};

    /** A frame for spec as the director would receive it: to its interface's MAC, from the gateway's. */
    public static byte[] frameFor(InstanceLayout layout, Director d, Frames.Spec spec) {
        LbConfig lb = liveConfig(layout);
        byte[] own = Interfaces.link(d.netns(), d.iface()).mac();
        return Frames.build(spec, own, lb.dstMac());
    }

    private static LbConfig liveConfig(InstanceLayout layout) {
        try (BalancerMaps live = BalancerMaps.pinned(layout)) {
            return live.lbConfig.get(0).orElseThrow(() -> new UserError("lb_config of instance " + layout.instance()
                    + " is empty: attach the director again"));
        }
    }

    public static Trace run(InstanceLayout layout, byte[] frame) {
        try (BalancerMaps live = BalancerMaps.pinned(layout)) {
            LbConfig lb = live.lbConfig.get(0).orElse(null);
            int guePort = lb == null ? -1 : lb.guePort();
            Sizes sizes = live.sizes();
            Frames.Decoded in = Frames.decode(frame, -1);
            Trace.Packet packet = packet(in, frame.length);
            FlowKey key = flowKey(packet);
            FlowState liveEntry = key == null ? null : connEntry(live, key);

            try (BpfObject obj = loadPrivate(layout, sizes);
                 BalancerMaps mine = BalancerMaps.of(obj::map);
                 BpfProgram prog = obj.program(BalancerObject.NAME)) {
                if (liveEntry != null) seedConnEntry(mine, key, liveEntry);
                seedFloodState(live, mine);
                TestRun.Result r = TestRun.run(prog, frame);
                String verdict = r.retval() >= 0 && r.retval() < ACTIONS.length ? ACTIONS[r.retval()] : "retval " + r.retval();
                List<String> counted = counted(mine);
                return explain(live, mine, sizes, lb, guePort, frame, in, packet, key, liveEntry, verdict, counted, r.data());
            }
        }
    }

    /**
     * The private balancer: live read-only maps reused, the written ones its own. Its
     * connection tables need not be as large as the live ones: they hold one flow.
     */
    private static BpfObject loadPrivate(InstanceLayout layout, Sizes sizes) {
        PinnedObject pins = BalancerObject.pinned(layout);
        Sizes small = new Sizes(sizes.maxVips(), sizes.maxReals(), sizes.ringSize(), Math.min(sizes.connTableSize(), 1024));
        ObjectSpec.Setup base = BalancerObject.setup(small);
        List<BpfMap> shared = new ArrayList<>();
        try {
            for (String m : SHARED) shared.add(pins.map(m));
            return BalancerObject.SPEC.load(new ObjectSpec.Setup() {
                public void beforeLoad(BpfObject obj) {
                    base.beforeLoad(obj);
                    for (int i = 0; i < SHARED.size(); i++) obj.reuseMap(SHARED.get(i), shared.get(i));
                }

                public void afterLoad(BpfObject obj) {
                    base.afterLoad(obj);
                }
            });
        } finally {
            for (BpfMap m : shared) m.close(); // reuse_fd keeps its own descriptor
        }
    }

    /*
     * Trace reads and seeds the connection table through ConnTables, the one reader of every
     * CPU's table: the live entry is the first CPU's that has the flow, and the private copy
     * gets it in every CPU's table, so the run finds it on whichever CPU it happens to run.
     */
    static FlowState connEntry(BalancerMaps maps, FlowKey key) {
        return maps.connTable.find(key).map(ConnTables.Entry::state).orElse(null);
    }

    static void seedConnEntry(BalancerMaps mine, FlowKey key, FlowState entry) {
        mine.connTable.putEverywhere(key, entry);
    }

    /** A CPU of the live director in SYN-flood mode makes the private run flood too (it then writes no entry). */
    static void seedFloodState(BalancerMaps live, BalancerMaps mine) {
        for (FloodState f : live.floodState.perCpu(0)) {
            if (f.flooded()) {
                mine.floodState.putEverywhere(0, f);
                return;
            }
        }
    }

    private static List<String> counted(BalancerMaps mine) {
        List<String> names = StatNames.balancer();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < mine.lbStats.size(); i++) {
            if (mine.lbStats.sum(i).packets() > 0) out.add(i < names.size() ? names.get(i) : "counter_" + i);
        }
        return out;
    }

    private static Trace.Packet packet(Frames.Decoded in, int length) {
        Frames.Layer eth = in.first("ethernet");
        Integer vlan = eth == null ? null : (Integer) eth.fields().get("vlan");
        Frames.Layer ip = null;
        for (Frames.Layer l : in.layers()) if (l.name().equals("ipv4") || l.name().equals("ipv6")) ip = l;
        if (ip == null) return new Trace.Packet(null, null, null, null, null, null, null, vlan, length, in.layers());
        Frames.Layer l4 = in.first("tcp") != null ? in.first("tcp") : in.first("udp");
        String proto = l4 == null ? "ip proto " + ip.fields().getOrDefault("protocol", ip.fields().get("nextHeader"))
                : l4.name();
        return new Trace.Packet(ip.name(), (String) ip.fields().get("src"), l4 == null ? null : (Integer) l4.fields().get("sport"),
                (String) ip.fields().get("dst"), l4 == null ? null : (Integer) l4.fields().get("dport"), proto,
                l4 != null && l4.name().equals("tcp") ? (String) l4.fields().get("flags") : null, vlan, length, in.layers());
    }

    private static FlowKey flowKey(Trace.Packet p) {
        if (p.sport() == null) return null;
        int proto = p.proto().equals("tcp") ? Frames.TCP : Frames.UDP;
        return new FlowKey(Addresses.parseLiteral(p.src()), Addresses.parseLiteral(p.dst()), p.sport(), p.dport(), proto);
    }

    private static Trace explain(BalancerMaps live, BalancerMaps mine, Sizes sizes, LbConfig lb, int guePort, byte[] frame,
                                 Frames.Decoded in, Trace.Packet packet, FlowKey key, FlowState liveEntry, String verdict,
                                 List<String> counted, byte[] out) {
        // 1. the VIP, as the program looks it up: the exact port first, then port 0 (all ports)
        Trace.VipMatch vip;
        VipMeta meta = null;
        if (key == null) {
            vip = new Trace.VipMatch("none", null, null, null, null, null, packet.family() == null
                    ? "not an IPv4/IPv6 packet" : "not TCP or UDP: the director balances only those");
        } else {
            Optional<VipMeta> exact = live.vip2tnl.get(new VipKey(key.dst(), key.dport(), key.proto()));
            Optional<VipMeta> any = live.vip2tnl.get(new VipKey(key.dst(), 0, key.proto()));
            String match = exact.isPresent() ? "exact" : any.isPresent() ? "all-ports" : "none";
            meta = exact.orElse(any.orElse(null));
            if (meta == null) {
                boolean vipAddress = live.vipAddrs.get(new IpAddr(key.dst())).isPresent();
                vip = new Trace.VipMatch("none", null, null, null, null, null, vipAddress
                        ? Addresses.format(key.dst()) + " is a VIP address, but no VIP has port " + key.dport() + "/"
                        + Proto.ofNumber(key.proto()).name().toLowerCase() + " or all ports"
                        : Addresses.format(key.dst()) + " is not a VIP address");
            } else {
                int port = exact.isPresent() ? key.dport() : 0;
                List<String> flags = new ArrayList<>();
                for (VipFlag f : VipFlag.values()) if ((meta.flags() & f.bit()) != 0) flags.add(f.label());
                vip = new Trace.VipMatch(match, new Vip(key.dst(), port, Proto.ofNumber(key.proto())).toString(), meta.vipId(),
                        meta.encap() == Encap.GUE.number() ? "gue" : "ipip", flags, meta.ringSlot() & 1, null);
            }
        }

        // 2. connection table, then ring
        Trace.ConnLookup conn = null;
        Trace.RingChoice ring = null;
        Trace.Real real = null;
        if (meta != null) {
            boolean noConntrack = (meta.flags() & VipFlag.NO_CONNTRACK.bit()) != 0;
            boolean syn = "SYN".equals(packet.tcpFlags());
            Map<String, Object> entry = liveEntry == null ? null : entry(live, liveEntry);
            if (noConntrack) {
                conn = new Trace.ConnLookup("not used", "the VIP has flag no-conntrack", entry);
            } else if (syn) {
                conn = new Trace.ConnLookup("skipped", "a TCP SYN always re-hashes", entry);
            } else if (counted.contains("conn_hit")) {
                conn = new Trace.ConnLookup("hit", null, entry);
                real = new Trace.Real(realAddress(live, liveEntry.realId()), liveEntry.realId(), "connection table");
            } else {
                String why = liveEntry == null ? "no entry for this flow"
                        : liveEntry.vipId() != meta.vipId() ? "the entry is for VIP id " + liveEntry.vipId()
                        : "the entry's real " + liveEntry.realId() + " no longer exists";
                conn = new Trace.ConnLookup("miss", why, entry);
            }
            if (counted.contains("ring_used")) {
                int hash = FlowHash.of(key.src(), key.sport(), key.dport(), meta.flags());
                int pos = Integer.remainderUnsigned(hash, sizes.ringSize());
                long index = ((long) meta.vipId() * 2 + (meta.ringSlot() & 1)) * sizes.ringSize() + pos;
                int realId = live.ring.get((int) index).orElse(0);
                String on = (meta.flags() & VipFlag.DPORT_ONLY.bit()) != 0 ? "dport " + key.dport()
                        : (meta.flags() & VipFlag.NO_SPORT.bit()) != 0 ? "src " + Addresses.format(key.src()) + ", dport " + key.dport()
                        : "src " + Addresses.format(key.src()) + ", sport " + key.sport() + ", dport " + key.dport();
                ring = new Trace.RingChoice(on, String.format("0x%08x", hash), sizes.ringSize(), pos, meta.ringSlot() & 1,
                        index, realId);
                real = new Trace.Real(realAddress(live, realId), realId, "ring");
            }
            // the program's own word on the real: the per-real counter it bumped
            int counter = countedReal(mine);
            if (counter > 0 && (real == null || real.id() != counter)) {
                real = new Trace.Real(realAddress(live, counter), counter, real == null ? "program" : real.from()
                        + " (the program counted real " + counter + ": trace's explanation disagrees, please report)");
            }
        }

        // 3. what the program wrote, in its private copy
        Trace.ConnWrite writes = null;
        if (key != null && meta != null) {
            FlowState after = connEntry(mine, key);
            if (after != null && (liveEntry == null || after.realId() != liveEntry.realId() || after.vipId() != liveEntry.vipId())) {
                writes = new Trace.ConnWrite(after.realId(), after.vipId(),
                        "the live director would remember this flow's real (trace wrote only its private copy)");
            }
        }

        // 4. the frame it sends
        Trace.Output output = null;
        if (verdict.equals("XDP_TX") || verdict.equals("XDP_REDIRECT")) {
            Frames.Decoded d = Frames.decode(out, guePort);
            Boolean unchanged = null;
            int inner = d.innermostIp();
            int l3 = in.firstIp();
            if (inner > d.firstIp() && l3 >= 0) {
                unchanged = Arrays.equals(Arrays.copyOfRange(out, inner, out.length), Arrays.copyOfRange(frame, l3, frame.length));
            }
            String egress = verdict.equals("XDP_TX") ? "out of the interface it came in on (XDP_TX)"
                    : "redirected to ifindex " + (lb == null ? "?" : lb.egressIfindex());
            output = new Trace.Output(out.length, egress, d.layers(), d.problems(), unchanged, Frames.hex(out));
        }
        return new Trace(packet, verdict, counted, vip, conn, ring, real, writes, output, Frames.hex(frame));
    }

    private static int countedReal(BalancerMaps mine) {
        for (int i = 1; i < mine.realStats.size(); i++) {
            Counter c = mine.realStats.sum(i);
            if (c.packets() > 0) return i;
        }
        return 0;
    }

    private static Map<String, Object> entry(BalancerMaps live, FlowState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("realId", s.realId());
        m.put("real", realAddress(live, s.realId()));
        m.put("vipId", s.vipId());
        m.put("lastSeenNs", s.lastSeenNs());
        return m;
    }

    private static String realAddress(BalancerMaps live, int id) {
        if (id == 0) return null;
        InetAddress a = live.reals.get(id).map(IpAddr::address).orElse(null);
        return a == null ? null : Addresses.format(a);
    }
}
