package io.xdplb.service.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import io.xdplb.maps.Addresses;
import io.xdplb.model.Encap;
import io.xdplb.model.Real;
import io.xdplb.model.VipConfig;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * nftables rules (iptables-nft's too) that drop or reject the VIPs' traffic or the tunnels,
 * in the namespaces of this host that the packets cross. Each drop/reject rule is tried on
 * the packets xdplb depends on: a rule matches when every condition it has on the
 * destination address, protocol and destination port holds; conditions on interfaces and
 * connection state (other than "invalid") are taken to hold; a rule with any other condition
 * is left alone, so what is reported does reject our packets.
 */
final class Firewall {
    private Firewall() {}

    /** A packet xdplb needs through: family 4/6, destination, IP protocol, destination port (-1: none). */
    record Packet(String what, int family, InetAddress dst, int proto, int dport) {}

    static List<Packet> packets(Scene s) {
        List<Packet> out = new ArrayList<>();
        Set<InetAddress> ipip = new LinkedHashSet<>();
        Set<InetAddress> gue = new LinkedHashSet<>();
        for (VipConfig v : s.config().vips()) {
            int fam = v.vip().isIpv6() ? 6 : 4;
            out.add(new Packet("traffic to VIP " + v.vip(), fam, v.vip().address(), v.vip().proto().number(),
                    v.vip().port() == 0 ? -1 : v.vip().port()));
            for (Real r : v.reals()) (v.encap() == Encap.GUE ? gue : ipip).add(r.address());
        }
        int guePort = s.lb() != null ? s.lb().guePort() : io.xdplb.model.Director.DEFAULT_GUE_PORT;
        for (InetAddress r : gue) {
            out.add(new Packet("GUE tunnel to real " + Addresses.format(r) + " (udp " + guePort + ")", family(r), r, 17, guePort));
        }
        for (InetAddress r : ipip) {
            out.add(new Packet("IPIP tunnel to real " + Addresses.format(r), family(r), r, 4, -1));
            out.add(new Packet("IPIP tunnel to real " + Addresses.format(r), family(r), r, 41, -1));
        }
        return out;
    }

    private static int family(InetAddress a) {
        return a instanceof Inet4Address ? 4 : 6;
    }

    /** The drop/reject rules of netns that match one of the packets. */
    static List<Check> check(Scene s, String netns, List<Packet> packets) {
        String where = netns == null ? "host namespace" : "netns " + netns;
        String text = Host.run(netns, "nft", "-j", "list", "ruleset");
        if (text == null) return List.of(Check.warn("firewall", where, "cannot run `nft -j list ruleset`", "apt-get install nftables"));
        List<Check> out = new ArrayList<>();
        for (JsonNode item : Host.json(text).path("nftables")) {
            JsonNode rule = item.path("rule");
            if (rule.isMissingNode()) continue;
            String verdict = verdict(rule.path("expr"));
            if (verdict == null) continue;
            String fam = rule.path("family").asText();
            for (Packet p : packets) {
                if (!familyApplies(fam, p.family()) || !matches(rule.path("expr"), p)) continue;
                String id = fam + " " + rule.path("table").asText() + " " + rule.path("chain").asText();
                out.add(Check.fail("firewall", where, "nft rule (table " + fam + " " + rule.path("table").asText() + ", chain "
                                + rule.path("chain").asText() + ", handle " + rule.path("handle").asInt() + ") " + verdict + "s "
                                + p.what(),
                        (netns == null ? "" : "ip netns exec " + netns + " ") + "nft delete rule " + id + " handle "
                                + rule.path("handle").asInt()));
                break;
            }
        }
        if (out.isEmpty()) out.add(Check.ok("firewall", where, "no nftables rule drops the VIPs' or the tunnels' packets"));
        return out;
    }

    private static boolean familyApplies(String tableFamily, int family) {
        return switch (tableFamily) {
            case "ip" -> family == 4;
            case "ip6" -> family == 6;
            case "arp" -> false;
            default -> true; // inet, bridge, netdev
        };
    }

    /** "drop" or "reject" when the rule ends so, else null. */
    private static String verdict(JsonNode exprs) {
        for (JsonNode e : exprs) {
            if (e.has("drop")) return "drop";
            if (e.has("reject")) return "reject";
            JsonNode xt = e.path("xt");
            if (xt.path("type").asText().equals("target")) {
                String n = xt.path("name").asText().toUpperCase(Locale.ROOT);
                if (n.equals("DROP") || n.equals("REJECT")) return n.toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    private static boolean matches(JsonNode exprs, Packet p) {
        for (JsonNode e : exprs) {
            if (e.has("xt") && e.path("xt").path("type").asText().equals("match")) return false; // an iptables match we do not read
            JsonNode m = e.path("match");
            if (m.isMissingNode()) continue;
            Boolean holds = holds(m, p);
            if (holds == null || !holds) return false;
        }
        return true;
    }

    /** Whether one condition holds for p; null when it is one we cannot judge. */
    private static Boolean holds(JsonNode m, Packet p) {
        String op = m.path("op").asText("==");
        boolean negate = op.equals("!=");
        if (!negate && !op.equals("==") && !op.equals("in")) return null;
        JsonNode left = m.path("left");
        JsonNode right = m.path("right");
        Boolean r;
        JsonNode payload = left.path("payload");
        JsonNode meta = left.path("meta");
        if (!payload.isMissingNode()) {
            String proto = payload.path("protocol").asText();
            String field = payload.path("field").asText();
            if ((proto.equals("ip") || proto.equals("ip6")) && field.equals("daddr")) {
                if (p.family() != (proto.equals("ip") ? 4 : 6)) return false;
                r = inAddr(right, p.dst());
            } else if ((proto.equals("ip") && field.equals("protocol")) || (proto.equals("ip6") && field.equals("nexthdr"))) {
                if (p.family() != (proto.equals("ip") ? 4 : 6)) return false;
                r = inNumber(right, p.proto(), true);
            } else if (field.equals("dport") && (proto.equals("tcp") || proto.equals("udp") || proto.equals("th"))) {
                int want = proto.equals("tcp") ? 6 : proto.equals("udp") ? 17 : -1;
                if (want > 0 && p.proto() != want) return false;
                if (p.dport() < 0) return true; // an all-ports VIP: some of its ports match
                r = inNumber(right, p.dport(), false);
            } else {
                return null;
            }
        } else if (!meta.isMissingNode()) {
            String key = meta.path("key").asText();
            switch (key) {
                case "l4proto" -> r = inNumber(right, p.proto(), true);
                case "nfproto" -> r = right.asText().equals(p.family() == 4 ? "ipv4" : "ipv6");
                case "iifname", "oifname", "iif", "oif" -> r = true;
                default -> {
                    return null;
                }
            }
        } else if (!left.path("ct").isMissingNode() && left.path("ct").path("key").asText().equals("state")) {
            String states = right.toString();
            r = states.contains("new") || states.contains("established"); // what our packets are
        } else {
            return null;
        }
        if (r == null) return null;
        return negate != r;
    }

    private static Boolean inAddr(JsonNode right, InetAddress a) {
        if (right.has("set")) {
            for (JsonNode x : right.path("set")) {
                Boolean r = inAddr(x, a);
                if (r == null) return null;
                if (r) return true;
            }
            return false;
        }
        if (right.has("prefix")) {
            InetAddress net = parse(right.path("prefix").path("addr").asText());
            return net != null && sameFamily(net, a) && prefixContains(net, right.path("prefix").path("len").asInt(), a);
        }
        if (right.isTextual()) {
            InetAddress x = parse(right.asText());
            return x == null ? null : x.equals(a);
        }
        return null;
    }

    private static boolean sameFamily(InetAddress x, InetAddress y) {
        return (x instanceof Inet4Address) == (y instanceof Inet4Address);
    }

    private static boolean prefixContains(InetAddress net, int len, InetAddress a) {
        byte[] n = net.getAddress();
        byte[] b = a.getAddress();
        for (int i = 0; i < len; i++) {
            int mask = 0x80 >> (i % 8);
            if ((n[i / 8] & mask) != (b[i / 8] & mask)) return false;
        }
        return true;
    }

    private static InetAddress parse(String s) {
        try {
            return Addresses.parseLiteral(s);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Boolean inNumber(JsonNode right, int value, boolean protocol) {
        if (right.has("set")) {
            for (JsonNode x : right.path("set")) {
                Boolean r = inNumber(x, value, protocol);
                if (r == null) return null;
                if (r) return true;
            }
            return false;
        }
        if (right.has("range")) {
            JsonNode rg = right.path("range");
            Integer lo = number(rg.path(0), protocol);
            Integer hi = number(rg.path(1), protocol);
            return lo == null || hi == null ? null : value >= lo && value <= hi;
        }
        Integer n = number(right, protocol);
        return n == null ? null : n == value;
    }

    private static Integer number(JsonNode v, boolean protocol) {
        if (v.isInt()) return v.asInt();
        if (!v.isTextual()) return null;
        String t = v.asText().toLowerCase(Locale.ROOT);
        if (protocol) {
            switch (t) {
                case "tcp": return 6;
                case "udp": return 17;
                case "ipip", "ipencap", "ip-encap", "ipv4": return 4;
                case "ipv6": return 41;
                default: break;
            }
        }
        try {
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
