package io.xdplb.service.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import io.xdplb.UserError;
import io.xdplb.director.BalancerMaps;
import io.xdplb.director.MapSync;
import io.xdplb.maps.Addresses;
import io.xdplb.maps.LbConfig;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.model.Director;
import io.xdplb.model.Encap;
import io.xdplb.model.Proto;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;
import io.xdplb.net.Interfaces;
import io.xdplb.net.IpCommand;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The director's checks: where its frames go, what the driver and the next hop make of them, its counters. */
final class DirectorChecks {
    private DirectorChecks() {}

    /** Whether the configuration's director is loaded (and so whether the other checks can look). */
    static Check balancer(Scene s) {
        Director d = s.director();
        if (d == null) {
            return s.balancerLoaded()
                    ? Check.warn("balancer", "instance " + s.instance(), "the balancer is pinned but the configuration has no director",
                            s.xdplb() + "status   # then detach what is not wanted")
                    : Check.ok("balancer", "instance " + s.instance(), "no director in this instance's configuration");
        }
        if (!s.balancerLoaded()) {
            return Check.fail("balancer", d.where(), "the configuration has a director on " + d.where()
                    + " but its program is not loaded", s.xdplb() + "apply -f " + s.configFile());
        }
        return Check.ok("balancer", d.where(), "loaded, " + s.config().vips().size() + " VIPs in the configuration");
    }

    /** veth drops XDP_TX'ed and redirected frames whose receiving peer has no XDP program. */
    static Check xdpPeer(Scene s) {
        Host.If out = s.egress();
        JsonNode link = Host.link(out.netns(), out.iface());
        if (link.isMissingNode()) return Check.fail("xdp-peer", out.toString(), "no such interface", "check the director's --iface/--egress");
        if (!Host.isVeth(link)) {
            return Check.ok("xdp-peer", out.toString(), "not a veth (" + link.path("linkinfo").path("info_kind").asText("physical")
                    + "): its frames need no XDP program on the other side");
        }
        Host.If peer = Host.vethPeer(out.netns(), out.iface());
        if (peer == null) {
            return Check.warn("xdp-peer", out.toString(), "a veth whose peer's namespace has no name under /run/netns: cannot look",
                    "make sure the peer has an XDP program (e.g. xdplb pass attach --iface PEER --netns NS)");
        }
        String prog = Host.xdpProgram(peer);
        if (prog == null) {
            return Check.fail("xdp-peer", peer.toString(), "veth peer of " + out + " has no XDP program: the frames the director"
                    + " sends (XDP_TX/redirect) are dropped there, counted only in ethtool -S as xdp errors",
                    s.xdplb() + "pass attach --iface " + peer.iface() + Scene.netnsOpt(peer.netns()));
        }
        return Check.ok("xdp-peer", peer.toString(), "veth peer of " + out + " runs XDP program " + prog);
    }

    /** The driver's XDP tx/redirect/xmit error counters of the director's interfaces must not grow. */
    static List<Check> xdpErrors(Scene s, Samples before, Samples after, double seconds) {
        List<Check> out = new ArrayList<>();
        Set<Host.If> ifs = new LinkedHashSet<>(List.of(s.ingress(), s.egress()));
        for (Host.If i : ifs) {
            List<String> grew = new ArrayList<>();
            long total = 0;
            for (Map.Entry<String, Long> e : Host.xdpErrorCounters(i).entrySet()) {
                long g = after.growth(before, Samples.eth(i, e.getKey()));
                total += e.getValue();
                if (g > 0) grew.add(e.getKey() + " +" + g);
            }
            if (grew.isEmpty()) {
                out.add(Check.ok("xdp-errors", i.toString(), "driver XDP error counters not growing over " + seconds
                        + " s (total " + total + ")"));
            } else {
                out.add(Check.fail("xdp-errors", i.toString(), "driver drops the director's XDP frames: " + String.join(", ", grew)
                        + " in " + seconds + " s", "give the receiving side an XDP program (see xdp-peer); "
                        + i.exec() + "ethtool -S " + i.iface() + " | grep xdp"));
            }
        }
        return out;
    }

    /**
     * A local sender's TCP/UDP checksum left to offload (CHECKSUM_PARTIAL) stays unfinished for
     * as long as every device on its way offers tx checksum offload; XDP_TX then sends it on as
     * it is and the real drops it. The veth that hands frames to the director finishes it in
     * software when its own tx-checksumming is off.
     */
    static List<Check> txChecksum(Scene s) {
        Host.If in = s.ingress();
        Host.If peer = Host.vethPeer(in.netns(), in.iface());
        if (peer == null) {
            return List.of(Check.ok("tx-checksum", in.toString(), "not fed by a local veth: frames come finished from a wire"));
        }
        Boolean peerOn = Host.txChecksumming(peer);
        if (peerOn == null) {
            return List.of(Check.warn("tx-checksum", peer.toString(), "cannot read ethtool -k " + peer.iface(),
                    "install ethtool"));
        }
        if (!peerOn) {
            return List.of(Check.ok("tx-checksum", peer.toString(), "the veth feeding " + in
                    + " has tx-checksumming off: local senders' checksums are finished there"));
        }
        String fix = peer.exec() + "ethtool -K " + peer.iface() + " tx off";
        List<Check> out = new ArrayList<>();
        for (Host.If sender : localSenders(s, peer)) {
            out.add(Check.fail("tx-checksum", sender.toString(), "sends to the VIPs with tx checksum offload on, and "
                    + peer + " (feeding the director) passes the unfinished checksums on: the reals drop every segment"
                    + " (TcpInCsumErrors)", fix + "   # or: " + sender.exec() + "ethtool -K " + sender.iface() + " tx off"));
        }
        if (out.isEmpty()) {
            out.add(Check.warn("tx-checksum", peer.toString(), "the veth feeding " + in + " has tx-checksumming on: a local"
                    + " sender with offload on would reach the reals with unfinished checksums", fix));
        }
        return out;
    }

    /** Interfaces of this host's namespaces that route a VIP out of a veth towards the director and offload checksums. */
    private static List<Host.If> localSenders(Scene s, Host.If directorPeer) {
        Set<String> vipAddrs = new LinkedHashSet<>();
        for (VipConfig v : s.config().vips()) vipAddrs.add(Addresses.format(v.vip().address()));
        List<Host.If> out = new ArrayList<>();
        for (String ns : Host.namespaces()) {
            if (java.util.Objects.equals(ns, s.director().netns())) continue;
            Set<String> devs = new LinkedHashSet<>();
            for (String vip : vipAddrs) {
                String dev = Host.json(ns == null ? Host.run(null, "ip", "-j", "route", "get", vip)
                        : Host.run(null, "ip", "-n", ns, "-j", "route", "get", vip)).path(0).path("dev").asText("");
                if (!dev.isEmpty() && !dev.equals("lo")) devs.add(dev);
            }
            for (String dev : devs) {
                Host.If i = new Host.If(ns, dev);
                if (i.equals(directorPeer)) continue;
                if (!Host.isVeth(Host.link(ns, dev))) continue;
                Host.If other = Host.vethPeer(ns, dev);
                boolean towardsDirector = other != null && (other.equals(s.ingress())
                        || java.util.Objects.equals(other.netns(), directorPeer.netns()));
                if (towardsDirector && Boolean.TRUE.equals(Host.txChecksumming(i))) out.add(i);
            }
        }
        return out;
    }

    /** lb_config's destination MAC is the next hop's MAC in the neighbour table now; its source MAC the egress's. */
    static Check gatewayMac(Scene s) {
        LbConfig lb = s.lb();
        Host.If out = s.egress();
        int family = lb.src4() != null ? 4 : 6;
        String dst = Addresses.formatMac(lb.dstMac());
        String reattach = s.xdplb() + "detach --iface " + s.director().iface() + Scene.netnsOpt(s.director().netns()) + " && "
                + s.xdplb() + "attach --iface " + s.director().iface() + Scene.netnsOpt(s.director().netns())
                + (s.director().egress() == null ? "" : " --egress " + s.director().egress()) + " --gateway-mac auto";
        byte[] own;
        try {
            own = Interfaces.link(out.netns(), out.iface()).mac();
        } catch (UserError e) {
            return Check.fail("gateway-mac", out.toString(), e.getMessage(), reattach);
        }
        if (!Arrays.equals(own, lb.srcMac())) {
            return Check.fail("gateway-mac", out.toString(), "lb_config's source MAC " + Addresses.formatMac(lb.srcMac())
                    + " is not " + out.iface() + "'s " + Addresses.formatMac(own), reattach);
        }
        String gw = IpCommand.json(out.netns(), "-" + family, "route", "show", "default").path(0).path("gateway").asText("?");
        byte[] now;
        try {
            now = Interfaces.gatewayMac(out.netns(), family);
        } catch (UserError e) {
            return Check.warn("gateway-mac", out.toString(), "lb_config sends to " + dst + ", but " + e.getMessage(),
                    out.exec() + "ping -c1 " + gw);
        }
        if (!Arrays.equals(now, lb.dstMac())) {
            return Check.fail("gateway-mac", out.toString(), "lb_config sends to " + dst + " but gateway " + gw + " is "
                    + Addresses.formatMac(now) + " in the neighbour table: the next hop drops the frames as not its own",
                    reattach);
        }
        return Check.ok("gateway-mac", out.toString(), "lb_config sends to " + dst + ", gateway " + gw + "'s MAC now");
    }

    /** Outer header overhead per tunnel, in bytes: the largest one the VIPs use. */
    static int overhead(Scene s) {
        int max = 0;
        for (VipConfig v : s.config().vips()) {
            boolean outer6 = s.lb().src4() == null || (v.vip().isIpv6() && s.lb().src6() != null && v.encap() == Encap.IPIP);
            int o = (outer6 ? 40 : 20) + (v.encap() == Encap.GUE ? 8 : 0);
            max = Math.max(max, o);
        }
        return max;
    }

    /** lb_config's MTU must fit the egress link, and each real's interface must take it. */
    static List<Check> mtu(Scene s) {
        List<Check> out = new ArrayList<>();
        int mtu = s.lb().mtu();
        Host.If eg = s.egress();
        int linkMtu = Host.link(eg.netns(), eg.iface()).path("mtu").asInt(0);
        String reattach = s.xdplb() + "detach --iface " + s.director().iface() + Scene.netnsOpt(s.director().netns())
                + " && " + s.xdplb() + "attach --iface " + s.director().iface() + Scene.netnsOpt(s.director().netns())
                + " --mtu " + linkMtu;
        if (linkMtu > 0 && mtu > linkMtu) {
            out.add(Check.fail("mtu", eg.toString(), "lb_config lets tunnels grow to " + mtu + " bytes but " + eg.iface()
                    + " carries " + linkMtu + ": bigger ones are dropped without a trace", reattach));
        }
        for (var r : s.realservers()) {
            if (!Host.exists(r.netns())) continue;
            int rm = Host.link(r.netns(), r.iface()).path("mtu").asInt(0);
            if (rm > 0 && rm < mtu) {
                out.add(Check.fail("mtu", r.target().toString(), "real's MTU " + rm + " is below the director's tunnel MTU " + mtu
                        + ": full-size tunnels are dropped on arrival", "ip " + (r.netns() == null ? "" : "-n " + r.netns() + " ")
                        + "link set " + r.iface() + " mtu " + mtu + "   # or attach the director with --mtu " + rm));
            }
        }
        if (out.isEmpty()) {
            int o = overhead(s);
            out.add(Check.ok("mtu", eg.toString(), "tunnels up to " + mtu + " bytes fit " + eg.iface() + " (" + linkMtu
                    + ") and every real; encapsulation adds up to " + o + " bytes, so client packets above " + (mtu - o)
                    + " get ICMP too-big (count too_big_sent)"));
        }
        return out;
    }

    /** The VIP's live ring has at least one real. */
    static List<Check> rings(Scene s) {
        List<Check> out = new ArrayList<>();
        try (BalancerMaps maps = BalancerMaps.pinned(s.layout())) {
            int ringSize = maps.ringSize();
            for (Map.Entry<VipKey, VipMeta> e : maps.vip2tnl.entries().entrySet()) {
                VipKey k = e.getKey();
                String vip = new Vip(k.address(), k.port(), Proto.ofNumber(k.proto())).toString();
                long used = Arrays.stream(MapSync.liveRing(maps, e.getValue(), ringSize)).filter(id -> id != 0).count();
                if (used == 0) {
                    out.add(Check.fail("ring", vip, "the live ring is empty: every new flow is dropped (drop_no_real)",
                            s.xdplb() + "real add " + vip + " ADDR   # or give a real weight > 0; health may have failed them"));
                } else {
                    out.add(Check.ok("ring", vip, used + " of " + ringSize + " ring slots have a real"));
                }
            }
        }
        return out;
    }

    /** The director's drop reasons (and the decap program's) must not grow. */
    static List<Check> drops(Scene s, Samples before, Samples after, double seconds) {
        List<Check> out = new ArrayList<>();
        for (String key : after.all().keySet()) {
            boolean lb = key.startsWith("lb:drop_");
            boolean decap = key.startsWith("decap:drop_");
            if (!lb && !decap) continue;
            long g = after.growth(before, key);
            String reason = key.substring(key.indexOf(':') + 1);
            String where = lb ? "director" : "decap";
            if (g <= 0) continue;
            Check.Status st = switch (reason) {
                case "drop_no_real", "drop_no_config", "drop_encap_failed" -> Check.Status.FAIL;
                default -> Check.Status.WARN;
            };
            String fix = switch (reason) {
                case "drop_no_real" -> s.xdplb() + "vip list   # a VIP without reals: real add VIP ADDR (see ring)";
                case "drop_no_config" -> s.xdplb() + "detach ... && attach ...   # lb_config is not set";
                case "drop_encap_failed" -> "the driver has no headroom for the tunnel: try --mode generic";
                case "drop_fragment" -> "fragments to a VIP are not balanced: fix the sender's MTU / PMTU discovery";
                default -> "see docs/debugging.md; tcpdump -ni IF -c 20 the VIP's traffic";
            };
            out.add(new Check("drops", where, st, reason + " grew by " + g + " in " + seconds + " s", fix));
        }
        if (out.isEmpty()) out.add(Check.ok("drops", "director, decap", "no drop reason grew in " + seconds + " s"));
        return out;
    }

    static Check jit() {
        String v = Host.sysctl(null, "net/core/bpf_jit_enable");
        if (v == null) return Check.warn("jit", "host", "cannot read net.core.bpf_jit_enable", "check /proc/sys/net/core/bpf_jit_enable");
        if (v.equals("0")) {
            return Check.warn("jit", "host", "the BPF JIT is off: every packet runs in the interpreter, several times slower",
                    "sysctl -w net.core.bpf_jit_enable=1");
        }
        return Check.ok("jit", "host", "net.core.bpf_jit_enable = " + v);
    }

    /** tc filters on an interface run next to (after) our XDP program and may drop what XDP passed. */
    static Check tcFilters(Host.If i) {
        List<String> found = new ArrayList<>();
        for (String dir : List.of("ingress", "egress")) {
            String text = i.netns() == null ? Host.run(null, "tc", "-j", "filter", "show", "dev", i.iface(), dir)
                    : Host.run(null, "tc", "-n", i.netns(), "-j", "filter", "show", "dev", i.iface(), dir);
            for (JsonNode f : Host.json(text)) {
                if (!f.has("kind")) continue;
                String name = f.path("options").path("bpf_name").asText(f.path("kind").asText());
                found.add(dir + " " + name);
            }
        }
        String tc = i.netns() == null ? "tc" : "tc -n " + i.netns();
        if (found.isEmpty()) return Check.ok("tc-filters", i.toString(), "no tc filters");
        return Check.warn("tc-filters", i.toString(), "tc filters also see this interface's traffic: "
                + String.join(", ", new LinkedHashSet<>(found)), tc + " filter show dev " + i.iface() + " ingress; "
                + tc + " filter del dev " + i.iface() + " ingress   # if not wanted");
    }
}
