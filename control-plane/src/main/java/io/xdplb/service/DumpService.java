package io.xdplb.service;

import io.xdplb.Messages;
import io.xdplb.UserError;
import io.xdplb.director.BalancerMaps;
import io.xdplb.director.BalancerObject;
import io.xdplb.director.ConnTables;
import io.xdplb.realserver.DecapProgram;
import io.xdplb.director.MapSync;
import io.xdplb.director.StatNames;
import io.xdplb.maps.Addresses;
import io.xdplb.maps.Counter;
import io.xdplb.maps.FloodState;
import io.xdplb.maps.FlowKey;
import io.xdplb.maps.FlowState;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.LbConfig;
import io.xdplb.maps.PerCpuArray;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.model.Encap;
import io.xdplb.model.Proto;
import io.xdplb.model.Vip;
import io.xdplb.model.VipFlag;
import io.xdplb.realserver.DecapMaps;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The maps of an instance, decoded into typed views: addresses as text, flags by name, the ring
 * as slots per real, the connection table as flows, counters per CPU. `xdplb dump` renders them.
 */
public final class DumpService {
    private final Instance instance;

    DumpService(Instance instance) {
        this.instance = instance;
    }

    /** Every map name `dump` knows, director's first. */
    public static Set<String> mapNames() {
        Set<String> all = new LinkedHashSet<>(BalancerMaps.NAMES);
        all.addAll(DecapMaps.NAMES);
        return all;
    }

    /** The arguments of {@link #read}, checked without touching anything (front-ends call it before asking for root). */
    public static void checkRequest(Set<String> wanted, int limit) {
        Set<String> all = mapNames();
        for (String w : wanted) {
            if (!all.contains(w)) throw new UserError("unknown map " + Messages.quote(w) + ": one of " + String.join(", ", all));
        }
        if (limit < 0) throw new UserError("bad --limit " + limit + ": must be 0 or more");
    }

    public record VipEntry(String vip, String address, int port, String proto, int vipId, List<String> flags,
                           String encap, int ringSlot) {}

    public record VipAddrEntry(String address, int vips) {}

    public record RealEntry(int id, String address) {}

    /** A VIP's live ring: how many slots each real (or "none") holds. */
    public record RingEntry(String vip, int vipId, int liveSlot, int ringSize, Map<String, Integer> slotsPerReal) {}

    /**
     * A flow of CPU {@code cpu}'s connection table. UDP entries are refreshed by their packets
     * (at most once a second): idleSeconds; TCP entries are only written: ageSeconds, the time since
     * the flow was inserted. The other one is null.
     */
    public record Flow(int cpu, String client, String vip, String proto, String real, int realId, int vipId,
                       Long idleSeconds, Long ageSeconds) {}

    /** The connection tables of every CPU (entriesPerCpu each), at most limit flows. */
    public record ConnTable(int limit, int cpus, int entriesPerCpu, List<Flow> flows) {}

    public record LbConfigView(int egressIfindex, String send, String srcMac, String dstMac, String src4, String src6,
                               int guePort, int mtu, int floodThreshold) {}

    /**
     * One CPU's SYN-flood window: new flows counted since windowStartNs (CLOCK_MONOTONIC);
     * flooded: the window before ended over the threshold, so this one bypasses from its start.
     */
    public record FloodWindow(int cpu, long windowStartNs, long newFlows, boolean flooded) {}

    /** One index of a per-CPU counter array: its name (or null), the per-CPU values and their sum. */
    public record Counters(int id, String name, List<Counter> perCpu) {
        public Counter sum() {
            Counter s = Counter.ZERO;
            for (Counter c : perCpu) s = s.plus(c);
            return s;
        }
    }

    /**
     * What was read; a field is null when its map was not asked for or is not loaded. The
     * per-id counter lists hold named ids and ids whose counters are not zero.
     */
    public record Dump(List<VipEntry> vip2tnl, List<VipAddrEntry> vipAddrs, List<RealEntry> reals, List<RingEntry> ring,
                       ConnTable connTable, LbConfigView lbConfig, List<Counters> vipStats, List<Counters> realStats,
                       List<Counters> lbStats, List<FloodWindow> floodState, List<String> decapAddrs, Integer decapGuePort,
                       List<Counters> decapStats) {}

    /**
     * Reads the maps named in show (empty: all), at most limit connection-table flows. A
     * UserError for an unknown name, or when the instance has nothing loaded.
     */
    public Dump read(Set<String> wanted, int limit) {
        checkRequest(wanted, limit);
        Set<String> all = mapNames();
        Set<String> show = wanted.isEmpty() ? all : new LinkedHashSet<>(wanted);
        boolean balancer = BalancerObject.pinned(instance.layout()).isPinned();
        boolean decap = instance.stats().decapLoaded();
        if (!balancer && !decap) {
            throw new UserError("instance " + instance.name() + " has no maps: nothing is attached"
                    + " (`xdplb attach` or `xdplb realserver setup` first)" + instance.othersHint());
        }
        if (!balancer && show.stream().anyMatch(BalancerMaps.NAMES::contains) && !wanted.isEmpty()) {
            throw new UserError("the balancer of instance " + instance.name() + " is not attached");
        }
        Builder b = new Builder();
        if (balancer) {
            try (BalancerMaps maps = BalancerMaps.pinned(instance.layout())) {
                b.balancer(maps, show, limit);
            }
        }
        if (decap) {
            try (DecapMaps maps = DecapMaps.pinned(instance.layout())) {
                b.decap(maps, show);
            }
        }
        return new Dump(b.vip2tnl, b.vipAddrs, b.reals, b.ring, b.connTable, b.lbConfig, b.vipStats, b.realStats,
                b.lbStats, b.floodState, b.decapAddrs, b.decapGuePort, b.decapStats);
    }

    public static String vipName(VipKey k) {
        return new Vip(k.address(), k.port(), Proto.ofNumber(k.proto())).toString();
    }

    private static final class Builder {
        List<VipEntry> vip2tnl;
        List<VipAddrEntry> vipAddrs;
        List<RealEntry> reals;
        List<RingEntry> ring;
        ConnTable connTable;
        LbConfigView lbConfig;
        List<Counters> vipStats, realStats, lbStats, decapStats;
        List<FloodWindow> floodState;
        List<String> decapAddrs;
        Integer decapGuePort;

        void balancer(BalancerMaps maps, Set<String> show, int limit) {
            Map<VipKey, VipMeta> vips = maps.vip2tnl.entries();
            Map<Integer, String> vipNames = new HashMap<>();
            vips.forEach((k, m) -> vipNames.put(m.vipId(), vipName(k)));
            Map<Integer, String> realNames = new TreeMap<>();
            maps.reals.entries().forEach((id, a) -> {
                if (id != 0 && a.address() != null) realNames.put(id, Addresses.format(a.address()));
            });
            if (show.contains("vip2tnl")) {
                vip2tnl = new ArrayList<>();
                vips.forEach((k, m) -> vip2tnl.add(new VipEntry(vipName(k), Addresses.format(k.address()), k.port(),
                        Proto.ofNumber(k.proto()).label(), m.vipId(),
                        VipFlag.fromMask(m.flags()).stream().map(VipFlag::label).toList(),
                        Encap.ofNumber(m.encap()).label(), m.ringSlot())));
            }
            if (show.contains("vip_addrs")) {
                vipAddrs = new ArrayList<>();
                maps.vipAddrs.entries().forEach((a, n) -> vipAddrs.add(new VipAddrEntry(Addresses.format(a.address()), n)));
            }
            if (show.contains("reals")) {
                reals = new ArrayList<>();
                realNames.forEach((id, a) -> reals.add(new RealEntry(id, a)));
            }
            if (show.contains("ring")) {
                int ringSize = maps.ringSize();
                ring = new ArrayList<>();
                vips.forEach((k, m) -> {
                    Map<String, Integer> perReal = new TreeMap<>();
                    for (int id : MapSync.liveRing(maps, m, ringSize)) {
                        perReal.merge(id == 0 ? "none" : realNames.getOrDefault(id, "id " + id), 1, Integer::sum);
                    }
                    ring.add(new RingEntry(vipName(k), m.vipId(), m.ringSlot(), ringSize, perReal));
                });
            }
            if (show.contains("conn_table")) {
                List<Flow> flows = new ArrayList<>();
                long now = System.nanoTime();
                for (ConnTables.Entry e : maps.connTable.entries(limit)) {
                    FlowKey f = e.key();
                    FlowState s = e.state();
                    long seconds = Math.max(0, (now - s.lastSeenNs()) / 1_000_000_000L);
                    boolean udp = f.proto() == Proto.UDP.number();
                    flows.add(new Flow(e.cpu(), endpoint(f.src(), f.sport()),
                            vipNames.getOrDefault(s.vipId(), endpoint(f.dst(), f.dport())),
                            Proto.ofNumber(f.proto()).label(), realNames.getOrDefault(s.realId(), "id " + s.realId()),
                            s.realId(), s.vipId(), udp ? seconds : null, udp ? null : seconds));
                }
                connTable = new ConnTable(limit, maps.connTable.cpus(), maps.connTable.entriesPerCpu(), flows);
            }
            if (show.contains("lb_config")) {
                LbConfig c = maps.lbConfig.get(0).orElseThrow();
                lbConfig = new LbConfigView(c.egressIfindex(),
                        c.egressIfindex() == 0 ? "XDP_TX (out of the ingress interface)" : "bpf_redirect",
                        Addresses.formatMac(c.srcMac()), Addresses.formatMac(c.dstMac()),
                        c.src4() == null ? null : Addresses.format(c.src4()),
                        c.src6() == null ? null : Addresses.format(c.src6()), c.guePort(), c.mtu(),
                        c.floodThreshold());
            }
            if (show.contains("flood_state")) {
                floodState = new ArrayList<>();
                List<FloodState> perCpu = maps.floodState.perCpu(0);
                for (int cpu = 0; cpu < perCpu.size(); cpu++) {
                    floodState.add(new FloodWindow(cpu, perCpu.get(cpu).windowStartNs(), Integer.toUnsignedLong(perCpu.get(cpu).newFlows()),
                            perCpu.get(cpu).flooded()));
                }
            }
            if (show.contains("vip_stats")) vipStats = perId(maps.vipStats, vipNames);
            if (show.contains("real_stats")) realStats = perId(maps.realStats, realNames);
            if (show.contains("lb_stats")) lbStats = byName(maps.lbStats, StatNames.balancer());
        }

        void decap(DecapMaps maps, Set<String> show) {
            if (show.contains("decap_addrs")) {
                decapAddrs = new ArrayList<>();
                for (IpAddr a : maps.addrs.entries().keySet()) decapAddrs.add(Addresses.format(a.address()));
            }
            if (show.contains("decap_config")) decapGuePort = maps.config.get(0).map(c -> c.guePort()).orElse(null);
            if (show.contains("decap_stats")) decapStats = byName(maps.stats, StatNames.decap());
        }
    }

    private static String endpoint(InetAddress a, int port) {
        String s = Addresses.format(a);
        return (a instanceof java.net.Inet6Address ? "[" + s + "]" : s) + ":" + port;
    }

    /** Named ids and ids with counts of a per-id counter array. */
    private static List<Counters> perId(PerCpuArray array, Map<Integer, String> names) {
        List<Counters> out = new ArrayList<>();
        for (int id = 0; id < array.size(); id++) {
            List<Counter> perCpu = array.perCpu(id);
            if (perCpu.stream().allMatch(c -> c.packets() == 0 && c.bytes() == 0) && !names.containsKey(id)) continue;
            out.add(new Counters(id, names.get(id), perCpu));
        }
        return out;
    }

    /** Every index of a reason array, named by the C enum. */
    private static List<Counters> byName(PerCpuArray array, List<String> names) {
        List<Counters> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) out.add(new Counters(i, i < names.size() ? names.get(i) : "counter_" + i, array.perCpu(i)));
        return out;
    }

    /** For callers that want a name → counters view of a reason array. */
    public static Map<String, Counters> named(List<Counters> list) {
        Map<String, Counters> m = new LinkedHashMap<>();
        for (Counters c : list) m.put(c.name(), c);
        return m;
    }
}
