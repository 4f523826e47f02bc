package io.xdplb.model;

import io.xdplb.Messages;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xdplb.UserError;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The configuration file format (docs/configuration.md): strict reading with one-line errors
 * that name the JSON path and the value, and canonical writing (fixed field order, sorted lists,
 * every field present), so that export, apply, export gives the same bytes.
 */
public final class ConfigJson {
    private ConfigJson() {}

    /** Two-space indent, "key": value, "\n" line ends whatever the platform, [] and {} when empty. */
    private static final DefaultPrettyPrinter PRINTER = new DefaultPrettyPrinter(Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withArrayEmptySeparator("")
            .withObjectEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"));

    // ---------------------------------------------------------------- reading

    /**
     * Parses a configuration document. {@code source} names it in errors, e.g. the file path:
     * {@code config file /x.json: vips[1].reals[0].weight = -3: weight must be 0..65535}.
     */
    public static Config parse(String text, String source) {
        String prefix = "config file " + source + ": ";
        JsonNode root;
        try {
            root = JsonTree.read(text);
        } catch (JsonProcessingException e) {
            throw new UserError(prefix + "not valid JSON" + location(e) + ": " + oneLine(e.getOriginalMessage()), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new UserError(prefix + "is empty; expected a JSON object such as {\"version\": 1, \"vips\": []}");
        }
        try {
            return config(root);
        } catch (Invalid e) {
            throw new UserError(prefix + e.getMessage(), e);
        }
    }

    private static Config config(JsonNode root) {
        JsonFields f = JsonFields.of(root, "", "version", "sizes", "director", "vips", "realservers", "bgp");
        JsonNode version = f.get("version");
        if (version == null) throw new Invalid("version", null, "is required; this program reads \"version\": " + Config.VERSION);
        if (!version.isIntegralNumber() || !version.canConvertToInt() || version.intValue() != Config.VERSION) {
            throw new Invalid("version", JsonFields.shown(version), "only version " + Config.VERSION + " is supported");
        }
        Sizes sizes = f.has("sizes") ? sizes(f.get("sizes")) : Sizes.DEFAULT;
        Director director = f.has("director") ? director(f.get("director")) : null;

        List<JsonNode> vipNodes = f.array("vips");
        List<VipConfig> vips = new ArrayList<>();
        for (int i = 0; i < vipNodes.size(); i++) vips.add(vip(vipNodes.get(i), "vips[" + i + "]"));

        List<JsonNode> rsNodes = f.array("realservers");
        List<RealServer> realservers = new ArrayList<>();
        for (int i = 0; i < rsNodes.size(); i++) realservers.add(realServer(rsNodes.get(i), "realservers[" + i + "]"));

        Bgp bgp = f.has("bgp") ? bgp(f.get("bgp")) : null;

        try {
            return new Config(sizes, director, vips, realservers, bgp);
        } catch (Invalid e) {
            throw f.relocate(e);
        }
    }

    private static Sizes sizes(JsonNode node) {
        JsonFields f = JsonFields.of(node, "sizes", "maxVips", "maxReals", "ringSize", "connTableSize");
        Sizes d = Sizes.DEFAULT;
        int maxVips = f.integer("maxVips", d.maxVips());
        int maxReals = f.integer("maxReals", d.maxReals());
        int ringSize = f.integer("ringSize", d.ringSize());
        int connTableSize = f.integer("connTableSize", d.connTableSize());
        try {
            return new Sizes(maxVips, maxReals, ringSize, connTableSize);
        } catch (Invalid e) {
            throw f.relocate(e);
        }
    }

    private static Director director(JsonNode node) {
        JsonFields f = JsonFields.of(node, "director",
                "iface", "netns", "mode", "egress", "gatewayMac", "src4", "src6", "guePort", "mtu",
                "floodThreshold");
        String iface = f.string("iface");
        String netns = f.optString("netns");
        AttachMode mode = f.has("mode") ? value(f, "mode", () -> AttachMode.parse(f.optString("mode"))) : AttachMode.NATIVE;
        String egress = f.optString("egress");
        String gatewayMac = f.has("gatewayMac") ? f.optString("gatewayMac") : Director.AUTO_MAC;
        String src4 = f.optString("src4");
        String src6 = f.optString("src6");
        var a4 = src4 == null ? null : value(f, "src4", () -> IpAddresses.parse4(src4, "source address"));
        var a6 = src6 == null ? null : value(f, "src6", () -> IpAddresses.parse6(src6, "source address"));
        int guePort = f.integer("guePort", Director.DEFAULT_GUE_PORT);
        int mtu = f.integer("mtu", Director.DEFAULT_MTU);
        int floodThreshold = f.integer("floodThreshold", Director.DEFAULT_FLOOD_THRESHOLD);
        try {
            return new Director(iface, netns, mode, egress, gatewayMac, a4, a6, guePort, mtu, floodThreshold);
        } catch (Invalid e) {
            throw f.relocate(e);
        }
    }

    private static VipConfig vip(JsonNode node, String path) {
        JsonFields f = JsonFields.of(node, path, "vip", "encap", "flags", "reals", "minHealthy", "check");
        String vipText = f.string("vip");
        Vip vip = value(f, "vip", () -> Vip.parse(vipText));
        Encap encap = f.has("encap") ? value(f, "encap", () -> Encap.parse(f.optString("encap"))) : Encap.DEFAULT;

        List<String> flagNames = f.strings("flags");
        EnumSet<VipFlag> flags = EnumSet.noneOf(VipFlag.class);
        for (int j = 0; j < flagNames.size(); j++) {
            String name = flagNames.get(j);
            VipFlag flag = value(f, "flags[" + j + "]", () -> VipFlag.parse(name));
            if (!flags.add(flag)) {
                throw new Invalid(f.path("flags[" + j + "]"), Messages.quote(name), "flag " + flag + " is listed twice");
            }
        }

        List<JsonNode> realNodes = f.array("reals");
        List<Real> reals = new ArrayList<>();
        for (int j = 0; j < realNodes.size(); j++) reals.add(real(realNodes.get(j), f.path("reals[" + j + "]")));
        int minHealthy = f.integer("minHealthy", VipConfig.DEFAULT_MIN_HEALTHY);
        HealthCheck check = f.has("check") ? check(f.get("check"), f.path("check")) : HealthCheck.NONE;
        try {
            return new VipConfig(vip, encap, flags, reals, minHealthy, check);
        } catch (Invalid e) {
            throw f.relocate(e);
        }
    }

    private static final java.util.Set<String> CHECK_NUMBERS = java.util.Set.of("port", "rise", "fall");

    private static HealthCheck check(JsonNode node, String path) {
        JsonFields f = JsonFields.of(node, path, "kind", "port", "interval", "timeout", "rise", "fall", "path", "expect",
                "host", "payload");
        HealthCheck.Kind kind = value(f, "kind", () -> HealthCheck.Kind.parse(f.string("kind")));
        java.util.Map<String, String> kv = new java.util.LinkedHashMap<>();
        for (String k : List.of("port", "interval", "timeout", "rise", "fall", "path", "expect", "host", "payload")) {
            if (!f.has(k)) continue;
            kv.put(k, CHECK_NUMBERS.contains(k) ? "" + f.integer(k, 0) : f.optString(k));
        }
        try {
            return HealthCheck.of(kind, kv);
        } catch (Invalid e) {
            throw f.relocate(e);
        }
    }

    private static Real real(JsonNode node, String path) {
        JsonFields f = JsonFields.of(node, path, "address", "weight");
        String text = f.string("address");
        InetAddress address = value(f, "address", () -> Real.parseAddress(text));
        int weight = f.integer("weight", Real.DEFAULT_WEIGHT);
        try {
            return new Real(address, weight);
        } catch (Invalid e) {
            throw f.relocate(e);
        }
    }

    private static RealServer realServer(JsonNode node, String path) {
        JsonFields f = JsonFields.of(node, path, "iface", "netns", "vips", "guePort", "mode");
        String iface = f.string("iface");
        String netns = f.optString("netns");
        List<String> texts = f.strings("vips");
        List<InetAddress> vips = new ArrayList<>();
        for (int j = 0; j < texts.size(); j++) {
            String t = texts.get(j);
            vips.add(value(f, "vips[" + j + "]", () -> RealServer.parseVipAddress(t)));
        }
        int guePort = f.integer("guePort", RealServer.DEFAULT_GUE_PORT);
        AttachMode mode = f.has("mode") ? value(f, "mode", () -> AttachMode.parse(f.optString("mode"))) : AttachMode.NATIVE;
        try {
            return new RealServer(iface, netns, vips, guePort, mode);
        } catch (Invalid e) {
            throw f.relocate(e);
        }
    }

    private static Bgp bgp(JsonNode node) {
        JsonFields f = JsonFields.of(node, "bgp", "localAsn", "holdTime", "routerId", "speaker", "peers");
        if (!f.has("localAsn")) throw new Invalid("bgp.localAsn", null, "is required");
        long localAsn = f.longInteger("localAsn", 0);
        int holdTime = f.integer("holdTime", Bgp.DEFAULT_HOLD_TIME);
        String routerId = f.optString("routerId");
        var id = routerId == null ? null : value(f, "routerId", () -> IpAddresses.parse4(routerId, "router id"));
        String speaker = f.has("speaker") ? f.optString("speaker") : Bgp.DEFAULT_SPEAKER;
        List<JsonNode> peerNodes = f.array("peers");
        List<Bgp.Peer> peers = new ArrayList<>();
        for (int i = 0; i < peerNodes.size(); i++) peers.add(peer(peerNodes.get(i), "bgp.peers[" + i + "]"));
        try {
            return new Bgp(localAsn, holdTime, id, speaker, peers);
        } catch (Invalid e) {
            throw f.relocate(e);
        }
    }

    private static Bgp.Peer peer(JsonNode node, String path) {
        JsonFields f = JsonFields.of(node, path, "address", "asn", "nextHop");
        String address = f.string("address");
        var a = value(f, "address", () -> IpAddresses.parse(address, "peer address"));
        if (!f.has("asn")) throw new Invalid(f.path("asn"), null, "is required");
        long asn = f.longInteger("asn", 0);
        String nextHop = f.optString("nextHop");
        var nh = nextHop == null ? null : value(f, "nextHop", () -> IpAddresses.parse(nextHop, "next hop"));
        try {
            return new Bgp.Peer(a, asn, nh);
        } catch (Invalid e) {
            throw f.relocate(e);
        }
    }

    /** Runs a value parser whose own message already names the value, and puts the field's path in front. */
    private static <T> T value(JsonFields f, String field, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (Invalid e) {
            throw f.relocate(e);
        } catch (UserError e) {
            throw new Invalid(f.path(field), null, e.getMessage());
        }
    }

    private static String location(JsonProcessingException e) {
        var loc = e.getLocation();
        if (loc == null || loc.getLineNr() < 0) return "";
        return " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    /** Jackson's message on one line, without its parser internals ("[Source: ...]" locations): we give our own. */
    private static String oneLine(String s) {
        if (s == null) return "";
        String t = s.replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\][^)]*\\)", "")
                .replaceAll("\\s*at \\[Source:[^\\]]*\\]", "");
        return t.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    // ---------------------------------------------------------------- writing

    /** The canonical text: every field, fixed order, two-space indent, ending in a newline. */
    public static String write(Config c) {
        return JsonTree.write(toJson(c), PRINTER) + "\n";
    }

    /** Any JSON tree in the same style as the file (e.g. a plan for `apply --dry-run --json`). */
    public static String pretty(JsonNode node) {
        return JsonTree.write(node, PRINTER) + "\n";
    }

    /** The canonical tree, for callers that embed it in bigger JSON output. */
    public static ObjectNode toJson(Config c) {
        JsonNodeFactory nf = JsonNodeFactory.instance;
        ObjectNode root = nf.objectNode();
        root.put("version", Config.VERSION);

        ObjectNode sizes = root.putObject("sizes");
        sizes.put("maxVips", c.sizes().maxVips());
        sizes.put("maxReals", c.sizes().maxReals());
        sizes.put("ringSize", c.sizes().ringSize());
        sizes.put("connTableSize", c.sizes().connTableSize());

        if (c.director() == null) root.putNull("director");
        else root.set("director", toJson(c.director()));

        ArrayNode vips = root.putArray("vips");
        for (VipConfig v : c.vips()) vips.add(toJson(v));

        ArrayNode realservers = root.putArray("realservers");
        for (RealServer rs : c.realservers()) realservers.add(toJson(rs));

        if (c.bgp() == null) root.putNull("bgp");
        else root.set("bgp", toJson(c.bgp()));
        return root;
    }

    public static ObjectNode toJson(Director d) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("iface", d.iface());
        o.put("netns", d.netns());
        o.put("mode", d.mode().label());
        o.put("egress", d.egress());
        o.put("gatewayMac", d.gatewayMac());
        o.put("src4", d.src4() == null ? null : IpAddresses.format(d.src4()));
        o.put("src6", d.src6() == null ? null : IpAddresses.format(d.src6()));
        o.put("guePort", d.guePort());
        o.put("mtu", d.mtu());
        o.put("floodThreshold", d.floodThreshold());
        return o;
    }

    public static ObjectNode toJson(VipConfig v) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("vip", v.vip().toString());
        o.put("encap", v.encap().label());
        ArrayNode flags = o.putArray("flags");
        for (VipFlag flag : v.flags()) flags.add(flag.label()); // EnumSet order = bit order
        ArrayNode reals = o.putArray("reals");
        for (Real r : v.reals()) {
            ObjectNode ro = reals.addObject();
            ro.put("address", IpAddresses.format(r.address()));
            ro.put("weight", r.weight());
        }
        o.put("minHealthy", v.minHealthy());
        o.set("check", toJson(v.check()));
        return o;
    }

    public static ObjectNode toJson(HealthCheck c) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("kind", c.kind().label());
        c.settings().forEach((k, val) -> {
            if (CHECK_NUMBERS.contains(k)) o.put(k, Integer.parseInt(val));
            else o.put(k, val);
        });
        return o;
    }

    public static ObjectNode toJson(Bgp b) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("localAsn", b.localAsn());
        o.put("holdTime", b.holdTime());
        o.put("routerId", b.routerId() == null ? null : IpAddresses.format(b.routerId()));
        o.put("speaker", b.speaker());
        ArrayNode peers = o.putArray("peers");
        for (Bgp.Peer p : b.peers()) {
            ObjectNode po = peers.addObject();
            po.put("address", IpAddresses.format(p.address()));
            po.put("asn", p.asn());
            po.put("nextHop", p.nextHop() == null ? null : IpAddresses.format(p.nextHop()));
        }
        return o;
    }

    public static ObjectNode toJson(RealServer rs) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("iface", rs.iface());
        o.put("netns", rs.netns());
        ArrayNode vips = o.putArray("vips");
        for (InetAddress a : rs.vips()) vips.add(IpAddresses.format(a));
        o.put("guePort", rs.guePort());
        o.put("mode", rs.mode().label());
        return o;
    }
}
