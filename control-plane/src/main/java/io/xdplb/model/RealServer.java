package io.xdplb.model;

import io.xdplb.Messages;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A real-server set-up on this host (`xdplb realserver setup`): the decap program on {@code iface}
 * and the VIP addresses bound to lo so the kernel accepts the decapsulated packets.
 *
 * @param netns   namespace under /run/netns, or null for the caller's own
 * @param vips    VIP addresses (no port or protocol: they are bound as /32 or /128 on lo)
 * @param guePort GUE port the decap program accepts
 * @param mode    how decap is attached (native or generic XDP), so apply re-attaches it the same way
 */
public record RealServer(String iface, String netns, List<InetAddress> vips, int guePort, AttachMode mode) {
    public static final int DEFAULT_GUE_PORT = Director.DEFAULT_GUE_PORT;

    public RealServer(String iface, String netns, List<InetAddress> vips, int guePort) {
        this(iface, netns, vips, guePort, AttachMode.NATIVE);
    }

    public RealServer {
        Objects.requireNonNull(mode, "mode");
        Names.checkIface("iface", iface);
        Names.checkNetns("netns", netns);
        if (vips == null || vips.isEmpty()) throw new Invalid("vips", "[]", "at least one VIP address is needed");
        for (int j = 0; j < vips.size(); j++) {
            InetAddress a = vips.get(j);
            String p = IpAddresses.problem(IpAddresses.format(a));
            if (p != null) throw new Invalid("vips[" + j + "]", Messages.quote(IpAddresses.format(a)), p);
            for (int k = 0; k < j; k++) {
                if (vips.get(k).equals(a)) {
                    throw new Invalid("vips[" + j + "]", Messages.quote(IpAddresses.format(a)),
                            "listed twice (also vips[" + k + "])");
                }
            }
        }
        List<InetAddress> sorted = new ArrayList<>(vips);
        sorted.sort(IpAddresses.ORDER);
        vips = List.copyOf(sorted);
        Names.checkPort("guePort", guePort);
    }

    /** Parses a VIP address as given to --vip (an address, not ADDR:PORT/PROTO). */
    public static InetAddress parseVipAddress(String text) {
        return IpAddresses.parse(text, "VIP address");
    }

    public boolean sameInterface(String otherIface, String otherNetns) {
        return iface.equals(otherIface) && Objects.equals(netns, otherNetns);
    }

    public String where() {
        return netns == null ? iface : iface + " (netns " + netns + ")";
    }
}
