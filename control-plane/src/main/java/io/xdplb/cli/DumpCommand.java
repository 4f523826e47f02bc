package io.xdplb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xdplb.UserError;
import io.xdplb.director.BalancerMaps;
import io.xdplb.director.BalancerObject;
import io.xdplb.realserver.DecapProgram;
import io.xdplb.director.MapSync;
import io.xdplb.director.StatNames;
import io.xdplb.maps.Addresses;
import io.xdplb.maps.Counter;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.net.InetAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Every map of the instance as JSON, keys and values decoded: addresses as text, ports as"
                + " numbers, MACs as aa:bb:..., flags by name, per-CPU counters summed and per CPU. The ring is shown"
                + " as slots per real for each VIP, the connection table as flows."},
        footer = {"", "Maps: vip2tnl vip_addrs reals ring conn_table lb_config vip_stats real_stats lb_stats"
                + " decap_addrs decap_config decap_stats", "", "Examples:", "  xdplb dump",
                "  xdplb dump ring conn_table --limit 20", "  xdplb dump lb_stats | jq '.lb_stats.tx'"})
final class DumpCommand implements Runnable {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "MAP", arity = "0..*", description = "Maps to show (default: all).")
    List<String> wanted = new ArrayList<>();

    @Option(names = "--limit", defaultValue = "100", paramLabel = "N",
            description = "At most N connection-table flows. Default: ${DEFAULT-VALUE}.")
    int limit;

    @Override
    public void run() {
        Set<String> all = new LinkedHashSet<>(BalancerMaps.NAMES);
        all.addAll(DecapMaps.NAMES);
        for (String w : wanted) {
            if (!all.contains(w)) throw new UserError("unknown map \"" + w + "\": one of " + String.join(", ", all));
        }
        if (limit < 0) throw new UserError("bad --limit " + limit + ": must be 0 or more");
        Instance instance = Instance.of(spec);
        XdplbCommand.requireRoot("xdplb dump");
        Set<String> show = wanted.isEmpty() ? all : new LinkedHashSet<>(wanted);
        ObjectNode root = Json.MAPPER.createObjectNode();
        boolean balancer = BalancerObject.pinned(instance.layout()).isPinned();
        boolean decap = DecapProgram.pinned(instance.layout()).isPinned();
        if (!balancer && !decap) {
            throw new UserError("instance " + instance.layout().instance() + " has no maps: nothing is attached"
                    + " (`xdplb attach` or `xdplb realserver setup` first)");
        }
        if (balancer) {
            try (BalancerMaps maps = BalancerMaps.pinned(instance.layout())) {
                dumpBalancer(root, maps, show);
            }
        } else if (show.stream().anyMatch(BalancerMaps.NAMES::contains) && !wanted.isEmpty()) {
            throw new UserError("the balancer of instance " + instance.layout().instance() + " is not attached");
        }
        if (decap) {
            try (DecapMaps maps = DecapMaps.pinned(instance.layout())) {
                dumpDecap(root, maps, show);
            }
        }
        spec.commandLine().getOut().println(Json.write(root));
    }

    private static String vipName(VipKey k) {
        return new Vip(k.address(), k.port(), Proto.ofNumber(k.proto())).toString();
    }

    private void dumpBalancer(ObjectNode root, BalancerMaps maps, Set<String> show) {
        Map<VipKey, VipMeta> vips = maps.vip2tnl.entries();
        Map<Integer, String> vipNames = new HashMap<>();
        vips.forEach((k, m) -> vipNames.put(m.vipId(), vipName(k)));
        Map<Integer, String> realNames = new TreeMap<>();
        maps.reals.entries().forEach((id, a) -> {
            if (id != 0 && a.address() != null) realNames.put(id, Addresses.format(a.address()));
        });
        if (show.contains("vip2tnl")) {
            ArrayNode arr = root.putArray("vip2tnl");
            vips.forEach((k, m) -> {
                ObjectNode o = arr.addObject();
                o.put("vip", vipName(k));
                o.put("address", Addresses.format(k.address()));
                o.put("port", k.port());
                o.put("proto", Proto.ofNumber(k.proto()).label());
                o.put("vipId", m.vipId());
                ArrayNode flags = o.putArray("flags");
                for (VipFlag f : VipFlag.fromMask(m.flags())) flags.add(f.label());
                o.put("encap", Encap.ofNumber(m.encap()).label());
                o.put("ringSlot", m.ringSlot());
            });
        }
        if (show.contains("vip_addrs")) {
            ArrayNode arr = root.putArray("vip_addrs");
            maps.vipAddrs.entries().forEach((a, n) -> arr.addObject().put("address", Addresses.format(a.address())).put("vips", n));
        }
        if (show.contains("reals")) {
            ArrayNode arr = root.putArray("reals");
            realNames.forEach((id, a) -> arr.addObject().put("id", id).put("address", a));
        }
        if (show.contains("ring")) {
            int ringSize = maps.sizes().ringSize();
            ArrayNode arr = root.putArray("ring");
            vips.forEach((k, m) -> {
                ObjectNode o = arr.addObject();
                o.put("vip", vipName(k));
                o.put("vipId", m.vipId());
                o.put("liveSlot", m.ringSlot());
                o.put("ringSize", ringSize);
                Map<String, Integer> perReal = new TreeMap<>();
                for (int id : MapSync.liveRing(maps, m, ringSize)) {
                    perReal.merge(id == 0 ? "none" : realNames.getOrDefault(id, "id " + id), 1, Integer::sum);
                }
                ObjectNode slots = o.putObject("slotsPerReal");
                perReal.forEach(slots::put);
            });
        }
        if (show.contains("conn_table")) {
            ObjectNode ct = root.putObject("conn_table");
            ct.put("limit", limit);
            ArrayNode flows = ct.putArray("flows");
            long now = System.nanoTime();
            for (Map.Entry<FlowKey, FlowState> e : maps.connTable.entries(limit).entrySet()) {
                FlowKey f = e.getKey();
                FlowState s = e.getValue();
                ObjectNode o = flows.addObject();
                o.put("client", endpoint(f.src(), f.sport()));
                o.put("vip", vipNames.getOrDefault(s.vipId(), endpoint(f.dst(), f.dport())));
                o.put("proto", Proto.ofNumber(f.proto()).label());
                o.put("real", realNames.getOrDefault(s.realId(), "id " + s.realId()));
                o.put("realId", s.realId());
                o.put("vipId", s.vipId());
                o.put("idleSeconds", Math.max(0, (now - s.lastSeenNs()) / 1_000_000_000L));
            }
            ct.put("shown", flows.size());
        }
        if (show.contains("lb_config")) {
            LbConfig c = maps.lbConfig.get(0).orElseThrow();
            ObjectNode o = root.putObject("lb_config");
            o.put("egressIfindex", c.egressIfindex());
            o.put("send", c.egressIfindex() == 0 ? "XDP_TX (out of the ingress interface)" : "bpf_redirect");
            o.put("srcMac", Addresses.formatMac(c.srcMac()));
            o.put("dstMac", Addresses.formatMac(c.dstMac()));
            o.put("src4", c.src4() == null ? null : Addresses.format(c.src4()));
            o.put("src6", c.src6() == null ? null : Addresses.format(c.src6()));
            o.put("guePort", c.guePort());
            o.put("mtu", c.mtu());
        }
        if (show.contains("vip_stats")) root.set("vip_stats", perId(maps.vipStats, vipNames, "vip"));
        if (show.contains("real_stats")) root.set("real_stats", perId(maps.realStats, realNames, "real"));
        if (show.contains("lb_stats")) root.set("lb_stats", byName(maps.lbStats, StatNames.balancer()));
    }

    private void dumpDecap(ObjectNode root, DecapMaps maps, Set<String> show) {
        if (show.contains("decap_addrs")) {
            ArrayNode arr = root.putArray("decap_addrs");
            for (IpAddr a : maps.addrs.entries().keySet()) arr.add(Addresses.format(a.address()));
        }
        if (show.contains("decap_config")) {
            maps.config.get(0).ifPresent(c -> root.putObject("decap_config").put("guePort", c.guePort()));
        }
        if (show.contains("decap_stats")) root.set("decap_stats", byName(maps.stats, StatNames.decap()));
    }

    private static String endpoint(InetAddress a, int port) {
        String s = Addresses.format(a);
        return (a instanceof java.net.Inet6Address ? "[" + s + "]" : s) + ":" + port;
    }

    private static ObjectNode counter(ObjectNode o, List<Counter> perCpu) {
        Counter sum = Counter.ZERO;
        for (Counter c : perCpu) sum = sum.plus(c);
        o.put("packets", sum.packets());
        o.put("bytes", sum.bytes());
        ArrayNode cpus = o.putArray("perCpu");
        for (Counter c : perCpu) cpus.addObject().put("packets", c.packets()).put("bytes", c.bytes());
        return o;
    }

    /** Non-zero entries of a per-id counter array, named. */
    private static ArrayNode perId(PerCpuArray array, Map<Integer, String> names, String what) {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        for (int id = 0; id < array.size(); id++) {
            List<Counter> perCpu = array.perCpu(id);
            if (perCpu.stream().allMatch(c -> c.packets() == 0 && c.bytes() == 0) && !names.containsKey(id)) continue;
            ObjectNode o = arr.addObject();
            o.put("id", id);
            o.put(what, names.getOrDefault(id, null));
            counter(o, perCpu);
        }
        return arr;
    }

    private static ObjectNode byName(PerCpuArray array, List<String> names) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        for (int i = 0; i < array.size(); i++) counter(o.putObject(i < names.size() ? names.get(i) : "counter_" + i), array.perCpu(i));
        return o;
    }
}
