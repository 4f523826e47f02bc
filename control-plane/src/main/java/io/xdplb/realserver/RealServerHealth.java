package io.xdplb.realserver;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.XdpAttachments;
import io.xdplb.libbpf.Libc;
import io.xdplb.libbpf.Netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a real-server record still describes what is there: the same network namespace (`ip netns
 * del` then `ip netns add` of the same name is another namespace; its inode may well be the same
 * number again, so its cookie decides), the same interface (by ifindex), the set-up complete and its
 * decap link attached.
 */
public final class RealServerHealth {
    private RealServerHealth() {}

    public static final String OK = "set up";

    /**
     * The inode of the network namespace (a name under /run/netns, a namespace path, a container's,
     * or null for ours), 0 when there is none (for a container: when it does not run).
     */
    public static long netnsInode(String netns) {
        try {
            Path p = netns == null ? Path.of("/proc/self/ns/net") : Netns.file(netns);
            return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** "namespace NS is gone", or for a container "container NAME is not running". */
    static String gone(String netns) {
        return Netns.isContainer(netns) ? "container " + netns.substring(Netns.CONTAINER.length()) + " is not running"
                : "namespace " + netns + " is gone";
    }

    /** "namespace NS was deleted and created again", or for a container "container NAME was restarted (a new namespace)". */
    static String replaced(String netns) {
        return Netns.isContainer(netns)
                ? "container " + netns.substring(Netns.CONTAINER.length()) + " was restarted (a new namespace)"
                : "namespace " + netns + " was deleted and created again";
    }

    /** The namespace's cookie (never reused, unlike its inode), 0 when there is no such namespace. */
    public static long netnsCookie(String netns) {
        if (netnsInode(netns) == 0) return 0;
        return Netns.run(netns, Libc::netnsCookie);
    }

    /** The namespace the record was made in is still there (what an older record does not hold is believed). */
    static boolean sameNamespace(RealServerState s) {
        long now = netnsInode(s.netns());
        if (now == 0 || (s.netnsInode() != 0 && s.netnsInode() != now)) return false;
        return s.netnsCookie() == 0 || s.netnsCookie() == netnsCookie(s.netns());
    }

    /** Same namespace, and the interface there is the one set up (not gone, not re-created). */
    static boolean sameInterface(RealServerState s) {
        if (!sameNamespace(s)) return false;
        int now = Netns.run(s.netns(), () -> Libc.ifNameToIndex(s.iface()));
        return now != 0 && (s.ifindex() == 0 || s.ifindex() == now);
    }

    /** Why the record no longer describes a working set-up, or {@link #OK}. */
    public static String state(RealServerState s, InstanceLayout layout) {
        if (s.netns() != null && netnsInode(s.netns()) == 0) return "stale: " + gone(s.netns());
        if (!sameNamespace(s)) return "stale: " + replaced(s.netns());
        String renamed = s.ifindex() == 0 ? null : Netns.run(s.netns(), () -> Libc.ifIndexToName(s.ifindex()));
        if (renamed != null && !renamed.equals(s.iface())) {
            return "stale: interface " + s.iface() + " was renamed to " + renamed + " (set it up under its new name, or"
                    + " rename it back)";
        }
        int now = Netns.run(s.netns(), () -> Libc.ifNameToIndex(s.iface()));
        if (now == 0) return "stale: interface " + s.iface() + " is gone";
        if (s.ifindex() != 0 && s.ifindex() != now) return "stale: interface " + s.iface() + " was re-created";
        if (!s.complete()) return "incomplete: setup was interrupted";
        if (!Files.exists(layout.link(s.target()))) return "defunct: decap is not attached";
        String link = new XdpAttachments(layout).describe(s.target()).state();
        return link.equals("attached") ? OK : link;
    }

    public static boolean healthy(RealServerState s, InstanceLayout layout) {
        return OK.equals(state(s, layout));
    }
}
