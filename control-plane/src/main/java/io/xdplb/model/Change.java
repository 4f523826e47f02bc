package io.xdplb.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One step of a {@link Plan}: printable as one line ({@code + vip 192.0.2.10:80/tcp encap=gue})
 * and as JSON ({@code {"action": "add", "kind": "vip", ...}}). "+" adds, "-" removes, "~" changes.
 */
public sealed interface Change {
    /** One human line, e.g. {@code ~ real 192.0.2.10:80/tcp 198.51.100.2 weight 1 -> 0}. */
    String line();

    /** The same as an object with "action" (add, remove, change) and "kind" first. */
    ObjectNode toJson();

    record SizesChanged(Sizes from, Sizes to) implements Change {
        public String line() {
            List<String> d = new ArrayList<>();
            diff(d, "maxVips", from.maxVips(), to.maxVips());
            diff(d, "maxReals", from.maxReals(), to.maxReals());
            diff(d, "ringSize", from.ringSize(), to.ringSize());
            diff(d, "connTableSize", from.connTableSize(), to.connTableSize());
            return "~ sizes " + String.join(", ", d);
        }

        public ObjectNode toJson() {
            ObjectNode o = head("change", "sizes");
            diff(o, "maxVips", from.maxVips(), to.maxVips());
            diff(o, "maxReals", from.maxReals(), to.maxReals());
            diff(o, "ringSize", from.ringSize(), to.ringSize());
            diff(o, "connTableSize", from.connTableSize(), to.connTableSize());
            return o;
        }
    }

    record DirectorAttached(Director director) implements Change {
        public String line() {
            Director d = director;
            StringBuilder sb = new StringBuilder("+ director ").append(d.iface());
            if (d.netns() != null) sb.append(" netns=").append(d.netns());
            sb.append(" mode=").append(d.mode().label());
            if (d.egress() != null) sb.append(" egress=").append(d.egress());
            sb.append(" gateway-mac=").append(d.gatewayMac());
            if (d.src4() != null) sb.append(" src4=").append(IpAddresses.format(d.src4()));
            if (d.src6() != null) sb.append(" src6=").append(IpAddresses.format(d.src6()));
            return sb.append(" gue-port=").append(d.guePort()).append(" mtu=").append(d.mtu())
                    .append(" flood-threshold=").append(d.floodThreshold()).toString();
        }

        public ObjectNode toJson() {
            ObjectNode o = head("add", "director");
            o.set("director", ConfigJson.toJson(director));
            return o;
        }
    }

    record DirectorDetached(Director director) implements Change {
        public String line() {
            return "- director " + director.iface() + (director.netns() == null ? "" : " netns=" + director.netns());
        }

        public ObjectNode toJson() {
            ObjectNode o = head("remove", "director");
            o.put("iface", director.iface());
            o.put("netns", director.netns());
            return o;
        }
    }

    /** Same interface and namespace, other settings. */
    record DirectorChanged(Director from, Director to) implements Change {
        public String line() {
            List<String> d = new ArrayList<>();
            diff(d, "mode", from.mode().label(), to.mode().label());
            diff(d, "egress", from.egress(), to.egress());
            diff(d, "gateway-mac", from.gatewayMac(), to.gatewayMac());
            diff(d, "src4", addr(from.src4()), addr(to.src4()));
            diff(d, "src6", addr(from.src6()), addr(to.src6()));
            diff(d, "gue-port", from.guePort(), to.guePort());
            diff(d, "mtu", from.mtu(), to.mtu());
            diff(d, "flood-threshold", from.floodThreshold(), to.floodThreshold());
            return "~ director " + to.iface() + (to.netns() == null ? "" : " netns=" + to.netns()) + " "
                    + String.join(", ", d);
        }

        public ObjectNode toJson() {
            ObjectNode o = head("change", "director");
            o.put("iface", to.iface());
            o.put("netns", to.netns());
            diff(o, "mode", from.mode().label(), to.mode().label());
            diff(o, "egress", from.egress(), to.egress());
            diff(o, "gatewayMac", from.gatewayMac(), to.gatewayMac());
            diff(o, "src4", addr(from.src4()), addr(to.src4()));
            diff(o, "src6", addr(from.src6()), addr(to.src6()));
            diff(o, "guePort", from.guePort(), to.guePort());
            diff(o, "mtu", from.mtu(), to.mtu());
            diff(o, "floodThreshold", from.floodThreshold(), to.floodThreshold());
            return o;
        }
    }

    /**
     * Not a difference between two files: the interface the director runs on was renamed and the
     * file names it by its new name; the record (the link's pin) follows it, the link stays.
     */
    record DirectorRenamed(String from, String to, String netns) implements Change {
        public String line() {
            return "~ director " + to + (netns == null ? "" : " netns=" + netns) + ": recorded under its new name (was "
                    + from + "; the interface was renamed, the link stays)";
        }

        public ObjectNode toJson() {
            ObjectNode o = head("change", "director");
            o.put("iface", to);
            o.put("netns", netns);
            diff(o, "recordedIface", from, to);
            return o;
        }
    }

    /** A new VIP. Its reals are in {@code vip.reals()} and are also listed as {@link RealAdded} steps. */
    record VipAdded(VipConfig vip) implements Change {
        public String line() {
            return "+ vip " + vip.vip() + " encap=" + vip.encap().label()
                    + (vip.flags().isEmpty() ? "" : " flags=" + VipFlag.format(vip.flags()))
                    + (vip.minHealthy() == VipConfig.DEFAULT_MIN_HEALTHY ? "" : " min-healthy=" + vip.minHealthy())
                    + (vip.check().enabled() ? " check=" + vip.check().format() : "");
        }

        public ObjectNode toJson() {
            ObjectNode o = head("add", "vip");
            o.put("vip", vip.vip().toString());
            o.put("encap", vip.encap().label());
            o.set("flags", flags(vip.flags()));
            o.put("minHealthy", vip.minHealthy());
            o.set("check", ConfigJson.toJson(vip.check()));
            return o;
        }
    }

    /** A VIP that goes; its reals are listed before it as {@link RealRemoved} steps. */
    record VipRemoved(VipConfig vip) implements Change {
        public String line() {
            return "- vip " + vip.vip();
        }

        public ObjectNode toJson() {
            ObjectNode o = head("remove", "vip");
            o.put("vip", vip.vip().toString());
            return o;
        }
    }

    record VipChanged(Vip vip, Encap fromEncap, Encap toEncap, Set<VipFlag> fromFlags, Set<VipFlag> toFlags,
                      int fromMinHealthy, int toMinHealthy)
            implements Change {
        public String line() {
            List<String> d = new ArrayList<>();
            diff(d, "encap", fromEncap.label(), toEncap.label());
            diff(d, "flags", VipFlag.format(fromFlags), VipFlag.format(toFlags));
            diff(d, "min-healthy", fromMinHealthy, toMinHealthy);
            return "~ vip " + vip + " " + String.join(", ", d);
        }

        public ObjectNode toJson() {
            ObjectNode o = head("change", "vip");
            o.put("vip", vip.toString());
            diff(o, "encap", fromEncap.label(), toEncap.label());
            if (!fromFlags.equals(toFlags)) {
                ObjectNode f = o.putObject("flags");
                f.set("from", flags(fromFlags));
                f.set("to", flags(toFlags));
            }
            diff(o, "minHealthy", fromMinHealthy, toMinHealthy);
            return o;
        }
    }

    /** The VIP's health check changed (the maps do not change; the agent checks the new way). */
    record VipCheckChanged(Vip vip, HealthCheck from, HealthCheck to) implements Change {
        public String line() {
            return "~ vip " + vip + " check " + from.format() + " -> " + to.format();
        }

        public ObjectNode toJson() {
            ObjectNode o = head("change", "vip");
            o.put("vip", vip.toString());
            ObjectNode c = o.putObject("check");
            c.set("from", ConfigJson.toJson(from));
            c.set("to", ConfigJson.toJson(to));
            return o;
        }
    }

    record RealAdded(Vip vip, Real real) implements Change {
        public String line() {
            return "+ real " + vip + " " + IpAddresses.format(real.address()) + " weight=" + real.weight();
        }

        public ObjectNode toJson() {
            ObjectNode o = head("add", "real");
            o.put("vip", vip.toString());
            o.put("address", IpAddresses.format(real.address()));
            o.put("weight", real.weight());
            return o;
        }
    }

    record RealRemoved(Vip vip, Real real) implements Change {
        public String line() {
            return "- real " + vip + " " + IpAddresses.format(real.address());
        }

        public ObjectNode toJson() {
            ObjectNode o = head("remove", "real");
            o.put("vip", vip.toString());
            o.put("address", IpAddresses.format(real.address()));
            return o;
        }
    }

    record RealWeightChanged(Vip vip, InetAddress address, int from, int to) implements Change {
        public String line() {
            return "~ real " + vip + " " + IpAddresses.format(address) + " weight " + from + " -> " + to;
        }

        public ObjectNode toJson() {
            ObjectNode o = head("change", "real");
            o.put("vip", vip.toString());
            o.put("address", IpAddresses.format(address));
            diff(o, "weight", from, to);
            return o;
        }
    }

    record RealServerAdded(RealServer rs) implements Change {
        public String line() {
            return "+ realserver " + rs.iface() + (rs.netns() == null ? "" : " netns=" + rs.netns())
                    + " vips=" + addrs(rs.vips()) + " gue-port=" + rs.guePort()
                    + (rs.mode() == AttachMode.NATIVE ? "" : " mode=" + rs.mode().label());
        }

        public ObjectNode toJson() {
            ObjectNode o = head("add", "realserver");
            o.set("realserver", ConfigJson.toJson(rs));
            return o;
        }
    }

    record RealServerRemoved(RealServer rs) implements Change {
        public String line() {
            return "- realserver " + rs.iface() + (rs.netns() == null ? "" : " netns=" + rs.netns());
        }

        public ObjectNode toJson() {
            ObjectNode o = head("remove", "realserver");
            o.put("iface", rs.iface());
            o.put("netns", rs.netns());
            return o;
        }
    }

    /** Same interface and namespace, other VIP addresses or GUE port. */
    record RealServerChanged(RealServer from, RealServer to) implements Change {
        public String line() {
            List<String> d = new ArrayList<>();
            diff(d, "vips", addrs(from.vips()), addrs(to.vips()));
            diff(d, "gue-port", from.guePort(), to.guePort());
            diff(d, "mode", from.mode().label(), to.mode().label());
            return "~ realserver " + to.iface() + (to.netns() == null ? "" : " netns=" + to.netns()) + " "
                    + String.join(", ", d);
        }

        public ObjectNode toJson() {
            ObjectNode o = head("change", "realserver");
            o.put("iface", to.iface());
            o.put("netns", to.netns());
            if (!from.vips().equals(to.vips())) {
                ObjectNode v = o.putObject("vips");
                v.set("from", addrArray(from.vips()));
                v.set("to", addrArray(to.vips()));
            }
            diff(o, "guePort", from.guePort(), to.guePort());
            diff(o, "mode", from.mode().label(), to.mode().label());
            return o;
        }
    }

    /** BGP settings added (from = null), removed (to = null) or changed. */
    record BgpChanged(Bgp from, Bgp to) implements Change {
        public String line() {
            if (from == null) return "+ bgp " + summary(to);
            if (to == null) return "- bgp";
            return "~ bgp " + summary(from) + " -> " + summary(to);
        }

        public ObjectNode toJson() {
            ObjectNode o = head(from == null ? "add" : to == null ? "remove" : "change", "bgp");
            if (from != null && to != null) {
                ObjectNode d = o.putObject("bgp");
                d.set("from", ConfigJson.toJson(from));
                d.set("to", ConfigJson.toJson(to));
            } else if (to != null) {
                o.set("bgp", ConfigJson.toJson(to));
            }
            return o;
        }

        private static String summary(Bgp b) {
            StringBuilder sb = new StringBuilder("local-asn=").append(b.localAsn()).append(" hold-time=").append(b.holdTime());
            if (b.routerId() != null) sb.append(" router-id=").append(IpAddresses.format(b.routerId()));
            sb.append(" speaker=").append(b.speaker()).append(" peers=");
            List<String> peers = new ArrayList<>();
            for (Bgp.Peer p : b.peers()) {
                peers.add(IpAddresses.format(p.address()) + "/as" + p.asn()
                        + (p.nextHop() == null ? "" : "/next-hop=" + IpAddresses.format(p.nextHop())));
            }
            return sb.append(String.join(",", peers)).toString();
        }
    }

    // ---- formatting helpers shared by the records ----

    /**
     * Not a difference between two files: the maps held something else than the configuration
     * (a command killed half-way, a hand edit), and apply rewrote or removed this many VIPs.
     */
    record MapsRepaired(int vips) implements Change {
        public String line() {
            return "~ maps: " + vips + " VIP" + (vips == 1 ? "" : "s") + " rewritten or removed to match the configuration";
        }

        public ObjectNode toJson() {
            ObjectNode o = head("change", "maps");
            o.put("vips", vips);
            return o;
        }
    }

    /**
     * Not a difference between two files: the director's settings in its lb_config map were not
     * what the configuration resolves to now (a hand edit, a next hop whose MAC changed under
     * gateway-mac auto), and apply rewrote them in place. Each difference is "field live -> wanted".
     */
    record LbConfigRepaired(List<String> differences) implements Change {
        public LbConfigRepaired {
            differences = List.copyOf(differences);
        }

        public String line() {
            return "~ lb_config: " + String.join(", ", differences) + " (rewritten to match the configuration)";
        }

        public ObjectNode toJson() {
            ObjectNode o = head("change", "lb_config");
            ArrayNode a = o.putArray("differences");
            differences.forEach(a::add);
            return o;
        }
    }

    private static ObjectNode head(String action, String kind) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("action", action);
        o.put("kind", kind);
        return o;
    }

    private static void diff(List<String> out, String name, Object from, Object to) {
        if (!Objects.equals(from, to)) out.add(name + " " + orNone(from) + " -> " + orNone(to));
    }

    private static void diff(ObjectNode o, String name, String from, String to) {
        if (Objects.equals(from, to)) return;
        ObjectNode d = o.putObject(name);
        d.put("from", from);
        d.put("to", to);
    }

    private static void diff(ObjectNode o, String name, int from, int to) {
        if (from == to) return;
        ObjectNode d = o.putObject(name);
        d.put("from", from);
        d.put("to", to);
    }

    private static String orNone(Object v) {
        return v == null ? "none" : v.toString();
    }

    private static String addr(InetAddress a) {
        return a == null ? null : IpAddresses.format(a);
    }

    private static String addrs(Collection<InetAddress> as) {
        return as.stream().map(IpAddresses::format).collect(Collectors.joining(","));
    }

    private static ArrayNode addrArray(Collection<InetAddress> as) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        as.forEach(x -> a.add(IpAddresses.format(x)));
        return a;
    }

    private static ArrayNode flags(Set<VipFlag> flags) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        flags.forEach(f -> a.add(f.label()));
        return a;
    }
}
