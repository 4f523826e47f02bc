package io.xdplb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xdplb.maps.Counter;
import io.xdplb.service.DumpService;
import io.xdplb.service.DumpService.Counters;
import io.xdplb.service.DumpService.Dump;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Every map of the instance as JSON, keys and values decoded: addresses as text, ports as"
                + " numbers, MACs as aa:bb:..., flags by name, per-CPU counters summed and per CPU. The ring is shown"
                + " as slots per real for each VIP, the connection table as flows, those of every CPU's table (each"
                + " CPU has its own), flood_state as each CPU's new flows in its current second."},
        footer = {"", "Maps: vip2tnl vip_addrs reals ring conn_table lb_config vip_stats real_stats lb_stats flood_state"
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
        var maps = new LinkedHashSet<>(wanted);
        DumpService.checkRequest(maps, limit);
        Instance instance = Instance.of(spec);
        XdplbCommand.requireRoot("xdplb dump");
        Dump d = instance.service().dump().read(maps, limit);
        spec.commandLine().getOut().println(Json.write(toJson(d)));
    }

    private static ObjectNode toJson(Dump d) {
        ObjectNode root = Json.NODES.objectNode();
        if (d.vip2tnl() != null) {
            ArrayNode arr = root.putArray("vip2tnl");
            for (var e : d.vip2tnl()) {
                ObjectNode o = arr.addObject();
                o.put("vip", e.vip());
                o.put("address", e.address());
                o.put("port", e.port());
                o.put("proto", e.proto());
                o.put("vipId", e.vipId());
                ArrayNode flags = o.putArray("flags");
                e.flags().forEach(flags::add);
                o.put("encap", e.encap());
                o.put("ringSlot", e.ringSlot());
            }
        }
        if (d.vipAddrs() != null) {
            ArrayNode arr = root.putArray("vip_addrs");
            for (var e : d.vipAddrs()) arr.addObject().put("address", e.address()).put("vips", e.vips());
        }
        if (d.reals() != null) {
            ArrayNode arr = root.putArray("reals");
            for (var e : d.reals()) arr.addObject().put("id", e.id()).put("address", e.address());
        }
        if (d.ring() != null) {
            ArrayNode arr = root.putArray("ring");
            for (var e : d.ring()) {
                ObjectNode o = arr.addObject();
                o.put("vip", e.vip());
                o.put("vipId", e.vipId());
                o.put("liveSlot", e.liveSlot());
                o.put("ringSize", e.ringSize());
                ObjectNode slots = o.putObject("slotsPerReal");
                e.slotsPerReal().forEach(slots::put);
            }
        }
        if (d.connTable() != null) {
            ObjectNode ct = root.putObject("conn_table");
            ct.put("limit", d.connTable().limit());
            ArrayNode flows = ct.putArray("flows");
            ct.put("cpus", d.connTable().cpus());
            ct.put("entriesPerCpu", d.connTable().entriesPerCpu());
            for (var f : d.connTable().flows()) {
                ObjectNode o = flows.addObject();
                o.put("cpu", f.cpu());
                o.put("client", f.client());
                o.put("vip", f.vip());
                o.put("proto", f.proto());
                o.put("real", f.real());
                o.put("realId", f.realId());
                o.put("vipId", f.vipId());
                if (f.idleSeconds() != null) o.put("idleSeconds", f.idleSeconds());
                if (f.ageSeconds() != null) o.put("ageSeconds", f.ageSeconds());
            }
            ct.put("shown", flows.size());
        }
        if (d.lbConfig() != null) {
            var c = d.lbConfig();
            ObjectNode o = root.putObject("lb_config");
            o.put("egressIfindex", c.egressIfindex());
            o.put("send", c.send());
            o.put("srcMac", c.srcMac());
            o.put("dstMac", c.dstMac());
            o.put("src4", c.src4());
            o.put("src6", c.src6());
            o.put("guePort", c.guePort());
            o.put("mtu", c.mtu());
            o.put("floodThreshold", c.floodThreshold());
        }
        if (d.vipStats() != null) root.set("vip_stats", perId(d.vipStats(), "vip"));
        if (d.realStats() != null) root.set("real_stats", perId(d.realStats(), "real"));
        if (d.lbStats() != null) root.set("lb_stats", byName(d.lbStats()));
        if (d.floodState() != null) {
            ArrayNode arr = root.putArray("flood_state");
            for (var w : d.floodState()) {
                arr.addObject().put("cpu", w.cpu()).put("windowStartNs", w.windowStartNs()).put("newFlows", w.newFlows())
                        .put("flooded", w.flooded());
            }
        }
        if (d.decapAddrs() != null) {
            ArrayNode arr = root.putArray("decap_addrs");
            d.decapAddrs().forEach(arr::add);
        }
        if (d.decapGuePort() != null) root.putObject("decap_config").put("guePort", d.decapGuePort());
        if (d.decapStats() != null) root.set("decap_stats", byName(d.decapStats()));
        return root;
    }

    private static ObjectNode counter(ObjectNode o, Counters c) {
        Counter sum = c.sum();
        o.put("packets", sum.packets());
        o.put("bytes", sum.bytes());
        ArrayNode cpus = o.putArray("perCpu");
        for (Counter x : c.perCpu()) cpus.addObject().put("packets", x.packets()).put("bytes", x.bytes());
        return o;
    }

    private static ArrayNode perId(List<Counters> rows, String what) {
        ArrayNode arr = Json.NODES.arrayNode();
        for (Counters c : rows) {
            ObjectNode o = arr.addObject();
            o.put("id", c.id());
            o.put(what, c.name());
            counter(o, c);
        }
        return arr;
    }

    private static ObjectNode byName(List<Counters> rows) {
        ObjectNode o = Json.NODES.objectNode();
        for (Counters c : rows) counter(o.putObject(c.name()), c);
        return o;
    }
}
