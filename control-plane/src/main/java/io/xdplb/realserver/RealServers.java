package io.xdplb.realserver;

import io.xdplb.Messages;
import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.attach.PinnedObject;
import io.xdplb.attach.XdpAttachments;
import io.xdplb.libbpf.BpfLink;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `xdplb realserver setup|teardown`: makes a host (or namespace) a real server for
 * direct server return. The VIPs go on lo as /32 or /128 so the stack accepts packets for
 * them without answering ARP/ND for them (arp_ignore=1, arp_announce=2 keep the VIP out of
 * ARP), rp_filter is made loose on the interface (replies leave by the routing table, not
 * necessarily where tunnels came in), and the decap program strips the tunnels at XDP.
 * What it finds is recorded before it changes anything ({@link RealServerState}), so a failed or killed
 * set-up is undone from the record like a teardown, and teardown restores what setup found.
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
                throw new UserError("bad VIP address " + Messages.quote(v) + ": realserver takes plain addresses, e.g. 192.0.2.10"
                        + " or 2001:db8::10 (no port or protocol)");
            }
            if (out.contains(a)) throw new UserError("VIP address " + v + " given twice");
            out.add(a);
        }
        if (out.isEmpty()) throw new UserError("give at least one --vip ADDR");
        return out;
    }

    /** What teardown did, and what it could not do (and why) when the record was stale. */
    public record Teardown(RealServerState state, List<String> notes) {}

    /**
     * Sets target up. A record already there that is stale (its namespace or interface gone or
     * re-created) or incomplete (a set-up killed half-way) is cleaned up first and replaced; a
     * healthy one is refused.
     */
    public RealServerState setup(Target target, List<InetAddress> vips, int guePort, XdpMode mode) {
        RealServerState old = RealServerState.read(layout.instance(), target);
        int ifindex = Netns.run(target.netns(), () -> XdpAttachments.ifindex(target));
        if (old != null && RealServerHealth.healthy(old, layout)) {
            throw new UserError(target + " is already set up as a real server (instance " + layout.instance()
                    + "); run `xdplb realserver teardown` first");
        }
        List<String> tunnel = new ArrayList<>();
        for (InetAddress a : Interfaces.globalAddresses(target.netns(), target.iface())) tunnel.add(Addresses.format(a));
        if (tunnel.isEmpty()) {
            throw new UserError(target + " has no global address: the director sends the tunnels to the real's"
                    + " own address, so give the interface one first");
        }
        for (RealServerState other : RealServerState.all(layout.instance())) {
            if (!other.target().equals(target) && other.guePort() != guePort) {
                throw new UserError("instance " + layout.instance() + " already decapsulates GUE on port "
                        + other.guePort() + " (set-up on " + other.target() + "); use --gue-port " + other.guePort()
                        + " or another --instance");
            }
        }
        if (old != null) undo(old); // stale or interrupted: restores what it found, so what is read below is original

        // The intent, recorded before anything changes: the values found, the addresses to add.
        long inode = RealServerHealth.netnsInode(target.netns());
        Map<String, String> found = new LinkedHashMap<>();
        for (String key : wantedSysctls(target.iface()).keySet()) {
            String shared = key.contains("/conf/all/") ? foundByAnotherSetup(target, key) : null;
            found.put(key, shared != null ? shared : Sysctl.get(target.netns(), key));
        }
        List<InetAddress> onLo = Interfaces.addresses(target.netns(), "lo");
        List<String> toAdd = vips.stream().filter(v -> !onLo.contains(v)).map(Addresses::format).toList();
        RealServerState intent = new RealServerState(target.iface(), target.netns(), inode,
                RealServerHealth.netnsCookie(target.netns()), ifindex, mode.cliName(),
                RealServerState.SETTING_UP, vips.stream().map(Addresses::format).toList(), toAdd, tunnel, guePort, found, 0);
        intent.write(layout.instance());

        try {
            decap.ensure();
            for (Map.Entry<String, String> s : wantedSysctls(target.iface()).entrySet()) {
                Sysctl.set(target.netns(), s.getKey(), s.getValue());
            }
            for (String vip : toAdd) IpCommand.run(target.netns(), loAddressArgs("add", vip));
            try (DecapMaps maps = DecapMaps.pinned(layout)) {
                for (String t : tunnel) maps.addrs.put(new IpAddr(Addresses.parseLiteral(t)), 1);
                maps.config.put(0, new DecapConfig(guePort, 0));
            }
            try (BpfProgram prog = decap.program()) {
                attachments.attach(prog, target, mode);
            }
            RealServerState done = intent.completed(linkId(target));
            done.write(layout.instance());
            return done;
        } catch (RuntimeException e) {
            try {
                undo(intent);
                intent.delete(layout.instance());
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private int linkId(Target target) {
        try (BpfLink link = BpfLink.pinned(layout.link(target))) {
            return link.info().id();
        }
    }

    /** ip addr add|del VIP/32|/128 dev lo (IPv6 without duplicate address detection). */
    private static String[] loAddressArgs(String verb, String vip) {
        InetAddress a = Addresses.parseLiteral(vip);
        String cidr = vip + (a instanceof Inet4Address ? "/32" : "/128");
        return verb.equals("add") && !(a instanceof Inet4Address)
                ? new String[] {"addr", "add", cidr, "dev", "lo", "nodad"}
                : new String[] {"addr", verb, cidr, "dev", "lo"};
    }

    /**
     * The value another live set-up in the same namespace (of any instance) found for a shared
     * "all" sysctl: it has already changed it, so reading it now would record our value as the original.
     */
    private String foundByAnotherSetup(Target target, String key) {
        for (RealServerState o : othersInNamespace(target)) {
            String v = o.savedSysctls().get(key);
            if (v != null) return v;
        }
        return null;
    }

    /** Records of every instance for other interfaces of the namespace target is in now (not stale ones). */
    private List<RealServerState> othersInNamespace(Target target) {
        List<RealServerState> out = new ArrayList<>();
        for (String instance : RealServerState.instances()) {
            for (RealServerState o : RealServerState.all(instance)) {
                if (instance.equals(layout.instance()) && o.target().equals(target)) continue;
                if (java.util.Objects.equals(o.netns(), target.netns()) && RealServerHealth.sameNamespace(o)) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    public Teardown teardown(Target target) {
        RealServerState state = RealServerState.read(layout.instance(), target);
        if (state == null) {
            throw new UserError(target + " is not set up as a real server by instance " + layout.instance()
                    + " (`xdplb status` lists the set-ups)");
        }
        List<String> notes = undo(state);
        state.delete(layout.instance());
        layout.removeEmptyDirs();
        return new Teardown(state, notes);
    }

    /**
     * Undoes what the record says (complete or not): detaches decap, and where the namespace and
     * interface are still the ones it describes, removes the VIPs it added to lo and restores the
     * sysctls it found (the shared "all" ones only when no other set-up in the namespace remains).
     * Never touches a namespace or interface that merely has the same name. Returns what it could not do.
     */
    private List<String> undo(RealServerState state) {
        Target target = state.target();
        List<String> notes = new ArrayList<>();
        // by the record: a renamed interface's decap is this set-up's own
        if (java.nio.file.Files.exists(layout.link(target))) attachments.detachRecorded(target, DecapProgram.NAME, null);
        boolean sameNs = RealServerHealth.sameNamespace(state);
        boolean sameIf = sameNs && RealServerHealth.sameInterface(state);
        if (!sameNs) {
            notes.add(state.netns() == null ? "the namespace changed"
                    : (RealServerHealth.netnsInode(state.netns()) == 0 ? RealServerHealth.gone(state.netns())
                    : RealServerHealth.replaced(state.netns())) + ": its lo addresses and sysctls went with it");
        } else {
            for (String vip : state.addedToLo()) {
                try {
                    IpCommand.run(target.netns(), loAddressArgs("del", vip));
                } catch (UserError gone) {
                    // not there (removed by hand, or setup was killed before adding it): nothing to restore
                }
            }
            boolean lastInNs = othersInNamespace(target).isEmpty();
            for (Map.Entry<String, String> s : state.savedSysctls().entrySet()) {
                boolean shared = s.getKey().contains("/conf/all/");
                if (shared ? !lastInNs : !sameIf) continue;
                try {
                    Sysctl.set(target.netns(), s.getKey(), s.getValue());
                } catch (UserError gone) {
                    // the interface went away: its sysctls went with it
                }
            }
            if (!sameIf) notes.add("interface " + target.iface() + " was gone or re-created: its own sysctls went with it");
        }
        List<RealServerState> others = RealServerState.all(layout.instance()).stream()
                .filter(o -> !o.target().equals(target)).toList();
        if (others.isEmpty()) {
            decap.unpin();
        } else if (decap.isPinned()) {
            try (DecapMaps maps = DecapMaps.pinned(layout)) {
                for (String t : state.tunnelAddresses()) {
                    boolean shared = others.stream().anyMatch(o -> o.tunnelAddresses().contains(t));
                    if (!shared) maps.addrs.remove(new IpAddr(Addresses.parseLiteral(t)));
                }
            }
        }
        return notes;
    }
}
