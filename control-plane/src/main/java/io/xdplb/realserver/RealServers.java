package io.xdplb.realserver;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.attach.PinnedObject;
import io.xdplb.attach.XdpAttachments;
import io.xdplb.libbpf.BpfProgram;
import io.xdplb.libbpf.Netns;
import io.xdplb.libbpf.XdpMode;
import io.xdplb.maps.Addresses;
import io.xdplb.maps.DecapConfig;
import io.xdplb.maps.IpAddr;
import io.xdplb.model.RealServer;
import io.xdplb.net.Interfaces;
import io.xdplb.net.IpCommand;
import io.xdplb.net.Sysctl;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `xdplb realserver setup|teardown`: makes a host (or namespace) a real server for
 * direct server return. The VIPs go on lo as /32 or /128 so the stack accepts packets for
 * them without answering ARP/ND for them (arp_ignore=1, arp_announce=2 keep the VIP out of
 * ARP), rp_filter is made loose on the interface (replies leave by the routing table, not
 * necessarily where tunnels came in), and the decap program strips the tunnels at XDP.
 * Every step is undone, in reverse, if a later one fails; teardown restores what setup found.
 */
public final class RealServers {
    private final InstanceLayout layout;
    private final XdpAttachments attachments;
    private final PinnedObject decap;

    public RealServers(InstanceLayout layout) {
        this.layout = layout;
        this.attachments = new XdpAttachments(layout);
        this.decap = DecapProgram.pinned(layout);
    }

    /** The sysctls a real server needs, per interface IF, and the value each needs. */
    static Map<String, String> wantedSysctls(String iface) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("net/ipv4/conf/all/arp_ignore", "1");
        m.put("net/ipv4/conf/all/arp_announce", "2");
        m.put("net/ipv4/conf/" + iface + "/arp_ignore", "1");
        m.put("net/ipv4/conf/" + iface + "/arp_announce", "2");
        m.put("net/ipv4/conf/" + iface + "/rp_filter", "2");
        return m;
    }

    /** Plain VIP addresses (no port): 192.0.2.10, 2001:db8::10; parsed as the configuration file parses them. */
    public static List<InetAddress> parseVips(List<String> vips) {
        List<InetAddress> out = new ArrayList<>();
        for (String v : vips) {
            InetAddress a;
            try {
                a = RealServer.parseVipAddress(v.startsWith("[") && v.endsWith("]") ? v.substring(1, v.length() - 1) : v);
            } catch (UserError e) {
                throw new UserError("bad VIP address \"" + v + "\": realserver takes plain addresses, e.g. 192.0.2.10"
                        + " or 2001:db8::10 (no port or protocol)");
            }
            if (out.contains(a)) throw new UserError("VIP address " + v + " given twice");
            out.add(a);
        }
        if (out.isEmpty()) throw new UserError("give at least one --vip ADDR");
        return out;
    }

    public RealServerState setup(Target target, List<InetAddress> vips, int guePort, XdpMode mode) {
        if (RealServerState.read(layout.instance(), target) != null) {
            throw new UserError(target + " is already set up as a real server (instance " + layout.instance()
                    + "); run `xdplb realserver teardown` first");
        }
        Netns.run(target.netns(), () -> XdpAttachments.ifindex(target));
        List<String> tunnel = new ArrayList<>();
        for (InetAddress a : Interfaces.globalAddresses(target.netns(), target.iface())) tunnel.add(Addresses.format(a));
        if (tunnel.isEmpty()) {
            throw new UserError(target + " has no global address: the director sends the tunnels to the real's"
                    + " own address, so give the interface one first");
        }
        for (RealServerState other : RealServerState.all(layout.instance())) {
            if (other.guePort() != guePort) {
                throw new UserError("instance " + layout.instance() + " already decapsulates GUE on port "
                        + other.guePort() + " (set-up on " + other.target() + "); use --gue-port " + other.guePort()
                        + " or another --instance");
            }
        }

        Deque<Runnable> undo = new ArrayDeque<>();
        try {
            if (decap.ensure()) {
                undo.push(decap::unpin);
            }
            Map<String, String> saved = new LinkedHashMap<>();
            for (Map.Entry<String, String> s : wantedSysctls(target.iface()).entrySet()) {
                String before = Sysctl.get(target.netns(), s.getKey());
                saved.put(s.getKey(), before);
                Sysctl.set(target.netns(), s.getKey(), s.getValue());
                undo.push(() -> Sysctl.set(target.netns(), s.getKey(), before));
            }
            List<String> added = new ArrayList<>();
            List<InetAddress> onLo = Interfaces.addresses(target.netns(), "lo");
            for (InetAddress vip : vips) {
                if (onLo.contains(vip)) continue;
                String cidr = Addresses.format(vip) + (vip instanceof Inet4Address ? "/32" : "/128");
                if (vip instanceof Inet4Address) IpCommand.run(target.netns(), "addr", "add", cidr, "dev", "lo");
                else IpCommand.run(target.netns(), "addr", "add", cidr, "dev", "lo", "nodad");
                added.add(Addresses.format(vip));
                undo.push(() -> IpCommand.run(target.netns(), "addr", "del", cidr, "dev", "lo"));
            }
            try (DecapMaps maps = DecapMaps.pinned(layout)) {
                for (String t : tunnel) {
                    IpAddr key = new IpAddr(Addresses.parseLiteral(t));
                    maps.addrs.put(key, 1);
                    undo.push(() -> {
                        try (DecapMaps m = DecapMaps.pinned(layout)) {
                            m.addrs.remove(key);
                        }
                    });
                }
                maps.config.put(0, new DecapConfig(guePort, 0));
            }
            try (BpfProgram prog = decap.program()) {
                attachments.attach(prog, target, mode);
            }
            undo.push(() -> attachments.detach(target, DecapProgram.NAME, null));
            List<String> vipText = vips.stream().map(Addresses::format).toList();
            RealServerState state = new RealServerState(target.iface(), target.netns(), vipText, added, tunnel, guePort, saved);
            state.write(layout.instance());
            return state;
        } catch (RuntimeException e) {
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    public RealServerState teardown(Target target) {
        RealServerState state = RealServerState.read(layout.instance(), target);
        if (state == null) {
            throw new UserError(target + " is not set up as a real server by instance " + layout.instance()
                    + " (`xdplb status` lists the set-ups)");
        }
        if (java.nio.file.Files.exists(layout.link(target))) attachments.detach(target, DecapProgram.NAME, null);
        boolean nsAlive = target.netns() == null
                || java.nio.file.Files.exists(Netns.NETNS_DIR.resolve(target.netns()));
        if (nsAlive) {
            for (String vip : state.addedToLo()) {
                InetAddress a = Addresses.parseLiteral(vip);
                String cidr = vip + (a instanceof Inet4Address ? "/32" : "/128");
                try {
                    IpCommand.run(target.netns(), "addr", "del", cidr, "dev", "lo");
                } catch (UserError gone) {
                    // already removed by hand: nothing to restore
                }
            }
            for (Map.Entry<String, String> s : state.savedSysctls().entrySet()) {
                try {
                    Sysctl.set(target.netns(), s.getKey(), s.getValue());
                } catch (UserError gone) {
                    // the interface went away: its sysctls went with it
                }
            }
        }
        List<RealServerState> others = RealServerState.all(layout.instance()).stream()
                .filter(o -> !o.target().equals(target)).toList();
        if (others.isEmpty()) {
            decap.unpin();
        } else {
            try (DecapMaps maps = DecapMaps.pinned(layout)) {
                for (String t : state.tunnelAddresses()) {
                    boolean shared = others.stream().anyMatch(o -> o.tunnelAddresses().contains(t));
                    if (!shared) maps.addrs.remove(new IpAddr(Addresses.parseLiteral(t)));
                }
            }
        }
        state.delete(layout.instance());
        layout.removeEmptyDirs();
        return state;
    }
}
