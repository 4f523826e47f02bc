package io.xdplb.director;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.attach.XdpAttachments;
import io.xdplb.libbpf.Netns;
import io.xdplb.model.Director;
import io.xdplb.maps.LbConfig;
import io.xdplb.net.Interfaces;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Turns the operator's attach options into the data path's lb_config: interface indexes
 * and MACs read from the namespace, the next hop's MAC resolved when "auto", the outer
 * source addresses defaulting to the egress interface's own.
 */
public final class LbSettings {
    private LbSettings() {}

    /** The lb_config for a director whose options the model has already validated. */
    public static LbConfig resolve(Director d) {
        return resolve(d, null);
    }

    /**
     * The lb_config for d as it is now, for a director that is live with {@code live}: when the
     * next hop's MAC is "auto" and cannot be resolved at this moment (an expired neighbour entry,
     * a gateway briefly silent), the MAC the data path uses now is kept rather than refusing.
     */
    public static LbConfig resolve(Director d, LbConfig live) {
        String ns = d.netns();
        Interfaces.Link in = Interfaces.link(ns, d.iface());
        Interfaces.Link out = in;
        String outName = d.iface();
        if (d.egress() != null) {
            Target egress = new Target(d.egress(), ns);
            Netns.run(ns, () -> XdpAttachments.ifindex(egress)); // "no interface X in ...", not ip's own words
            out = Interfaces.link(ns, d.egress());
            outName = d.egress();
        }
        int egressIfindex = out.ifindex() == in.ifindex() ? 0 : out.ifindex();

        Inet4Address v4 = d.src4() != null ? d.src4() : firstAddress(Inet4Address.class, ns, outName);
        Inet6Address v6 = d.src6() != null ? d.src6() : firstAddress(Inet6Address.class, ns, outName);
        if (v4 == null && v6 == null) {
            throw new UserError(outName + " has no global address to send tunnels from: give --src4 ADDR and/or --src6 ADDR");
        }
        byte[] gw = d.autoGatewayMac() ? gatewayMac(ns, v4 != null ? 4 : 6, live) : d.gatewayMacBytes();
        return new LbConfig(egressIfindex, out.mac(), gw, v4, v6, d.guePort(), d.mtu(), d.floodThreshold());
    }

    private static byte[] gatewayMac(String ns, int family, LbConfig live) {
        try {
            return Interfaces.gatewayMac(ns, family);
        } catch (UserError e) {
            if (live == null) throw e;
            return live.dstMac();
        }
    }

    /** The interface's first global address of that family, or null. */
    private static <A extends InetAddress> A firstAddress(Class<A> family, String ns, String iface) {
        for (InetAddress a : Interfaces.globalAddresses(ns, iface)) if (family.isInstance(a)) return family.cast(a);
        return null;
    }
}
