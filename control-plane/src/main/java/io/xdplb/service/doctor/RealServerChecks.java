package io.xdplb.service.doctor;

import io.xdplb.attach.XdpAttachments.Attachment;
import io.xdplb.maps.Addresses;
import io.xdplb.model.Encap;
import io.xdplb.model.VipConfig;
import io.xdplb.net.Interfaces;
import io.xdplb.realserver.DecapProgram;
import io.xdplb.realserver.RealServerState;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Checks of one real-server set-up of the instance (what `xdplb realserver setup` made). */
final class RealServerChecks {
    private RealServerChecks() {}

    static List<Check> of(Scene s, RealServerState r, Samples before, Samples after, double seconds) {
        List<Check> out = new ArrayList<>();
        String where = r.target().toString();
        String ns = r.netns();
        String setup = s.xdplb() + "realserver teardown --iface " + r.iface() + Scene.netnsOpt(ns) + " && " + s.xdplb()
                + "realserver setup --iface " + r.iface() + Scene.netnsOpt(ns);
        for (String v : r.vips()) setup += " --vip " + v;
        Host.If here = new Host.If(ns, r.iface());
        String exec = here.exec();
        String ipN = here.ipN();

        // VIPs this real serves (the configuration's VIPs that list one of its tunnel addresses) bound on lo
        Set<InetAddress> wanted = new LinkedHashSet<>();
        for (String v : r.vips()) wanted.add(Addresses.parseLiteral(v));
        for (VipConfig v : s.vipsServedBy(r.tunnelAddresses())) wanted.add(v.vip().address());
        List<InetAddress> onLo = Interfaces.addresses(ns, "lo");
        List<String> missing = new ArrayList<>();
        for (InetAddress a : wanted) if (!onLo.contains(a)) missing.add(Addresses.format(a));
        if (missing.isEmpty()) {
            out.add(Check.ok("vip-on-lo", where, "VIPs on lo: " + formatAll(wanted)));
        } else {
            String fix = String.join("; ", missing.stream().map(m -> ipN + " addr add " + m
                    + (Addresses.parseLiteral(m) instanceof Inet4Address ? "/32" : "/128") + " dev lo").toList());
            out.add(Check.fail("vip-on-lo", where, "VIP " + String.join(", ", missing) + " not on lo: the real's kernel"
                    + " drops the decapsulated packets (not a local address)", fix));
        }

        // ARP: the VIP is on lo of every real; none may answer ARP for it on the LAN
        int ignore = Math.max(Host.sysctlInt(ns, "net/ipv4/conf/all/arp_ignore", 0),
                Host.sysctlInt(ns, "net/ipv4/conf/" + r.iface() + "/arp_ignore", 0));
        int announce = Math.max(Host.sysctlInt(ns, "net/ipv4/conf/all/arp_announce", 0),
                Host.sysctlInt(ns, "net/ipv4/conf/" + r.iface() + "/arp_announce", 0));
        if (ignore >= 1 && announce >= 2) {
            out.add(Check.ok("arp", where, "arp_ignore " + ignore + ", arp_announce " + announce));
        } else {
            out.add(Check.fail("arp", where, "arp_ignore " + ignore + " (needs 1), arp_announce " + announce
                    + " (needs 2): the real may answer ARP for the VIP and pull client traffic past the director",
                    exec + "sysctl -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2"));
        }

        // rp_filter: the effective value is the larger of all and the interface
        int rpAll = Host.sysctlInt(ns, "net/ipv4/conf/all/rp_filter", 0);
        int rpIf = Host.sysctlInt(ns, "net/ipv4/conf/" + r.iface() + "/rp_filter", 0);
        int rp = Math.max(rpAll, rpIf);
        if (rp == 1) {
            out.add(Check.fail("rp-filter", where, "rp_filter is strict (all " + rpAll + ", " + r.iface() + " " + rpIf
                    + "): decapsulated packets whose client is routed out elsewhere are dropped (IPReversePathFilter)",
                    exec + "sysctl -w net.ipv4.conf.all.rp_filter=" + (rpAll == 1 ? 2 : rpAll) + " net.ipv4.conf."
                            + r.iface() + ".rp_filter=2"));
        } else {
            out.add(Check.ok("rp-filter", where, "rp_filter " + rp + (rp == 2 ? " (loose)" : " (off)")));
        }

        // decap attached, with the GUE port the director's VIPs use, for the addresses the director sends to
        Attachment a = s.attachments().stream().filter(x -> x.iface().equals(r.iface())
                && Objects.equals(x.netns(), ns) && x.program().equals(DecapProgram.NAME)).findFirst().orElse(null);
        if (a == null || !a.state().equals("attached")) {
            out.add(Check.fail("decap", where, a == null ? "no decap program attached" : "decap link " + a.state()
                    + ": tunnels reach the kernel undecapsulated and are dropped", setup));
        } else {
            List<String> notDecapped = new ArrayList<>();
            for (String t : r.tunnelAddresses()) {
                if (!s.decapAddrs().contains(Addresses.parseLiteral(t))) notDecapped.add(t);
            }
            if (!notDecapped.isEmpty()) {
                out.add(Check.fail("decap", where, "decap_addrs lacks " + String.join(", ", notDecapped)
                        + ": tunnels to it pass undecapsulated", setup));
            } else {
                out.add(Check.ok("decap", where, "decap attached (" + a.mode() + "), for " + String.join(", ", r.tunnelAddresses())));
            }
        }
        boolean gue = s.vipsServedBy(r.tunnelAddresses()).stream().anyMatch(v -> v.encap() == Encap.GUE);
        if (gue && s.lb() != null) {
            int want = s.lb().guePort();
            int have = s.decap() == null ? -1 : s.decap().guePort();
            if (have != want) {
                out.add(Check.fail("gue-port", where, "decap accepts GUE on port " + (have < 0 ? "none" : have)
                        + " but the director sends its GUE VIPs to port " + want + ": they pass undecapsulated",
                        setup + " --gue-port " + want));
            } else {
                out.add(Check.ok("gue-port", where, "decap and director both use GUE port " + want));
            }
        }

        // the kernel's own witnesses, over the interval
        for (String counter : Samples.KERNEL_COUNTERS) {
            long g = after.growth(before, Samples.nstat(ns, counter));
            String name = counter.equals("TcpInCsumErrors") ? "csum-errors" : "rp-filter-drops";
            if (g > 0) {
                String fix = name.equals("csum-errors")
                        ? "a sender offloads checksums on a veth (see tx-checksum): ethtool -K IF tx off on it"
                        : exec + "sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf." + r.iface() + ".rp_filter=2";
                out.add(Check.fail(name, where, counter + " grew by " + g + " in " + seconds + " s", fix));
            } else {
                out.add(Check.ok(name, where, counter + " not growing over " + seconds + " s"));
            }
        }

        // a real that is the director itself sees its own address as a packet's source
        if (s.director() != null && Objects.equals(s.director().netns(), ns)) {
            int al = Math.max(Host.sysctlInt(ns, "net/ipv4/conf/all/accept_local", 0),
                    Host.sysctlInt(ns, "net/ipv4/conf/" + r.iface() + "/accept_local", 0));
            if (al == 0) {
                out.add(Check.fail("accept-local", where, "this real is the director itself and accept_local is 0: the"
                        + " kernel drops packets with its own address as source (martians)",
                        exec + "sysctl -w net.ipv4.conf." + r.iface() + ".accept_local=1"));
            } else {
                out.add(Check.ok("accept-local", where, "the director itself, accept_local 1"));
            }
        }
        return out;
    }

    private static String formatAll(Set<InetAddress> as) {
        return String.join(", ", as.stream().map(Addresses::format).toList());
    }
}
