package io.xdplb.director;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.maps.Addresses;
import io.xdplb.maps.LbConfig;
import io.xdplb.net.Interfaces;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Turns the operator's attach options into the data path's lb_config: interface indexes
 * and MACs read from the namespace, the next hop's MAC resolved when "auto", the outer
 * source addresses defaulting to the egress interface's own, the MTU to its MTU.
 */
public final class LbSettings {
    private LbSettings() {}

    /**
     * @param egress     egress interface name, or null for "out of the ingress interface" (XDP_TX)
     * @param gatewayMac "auto" or aa:bb:cc:dd:ee:ff
     * @param src4       outer IPv4 source, or null for the egress interface's first global IPv4 address
     * @param src6       same for IPv6
     * @param mtu        0 for the egress interface's MTU
     */
    public static LbConfig resolve(Target ingress, String egress, String gatewayMac, String src4, String src6,
                                   int guePort, int mtu) {
        String ns = ingress.netns();
        Interfaces.Link in = Interfaces.link(ns, ingress.iface());
        String outName = egress == null ? ingress.iface() : new Target(egress, ns).iface();
        if (egress != null) {
            Target out = new Target(egress, ns);
            io.xdplb.libbpf.Netns.run(ns, () -> io.xdplb.attach.XdpAttachments.ifindex(out)); // "no interface X in ..."
        }
        Interfaces.Link out = egress == null ? in : Interfaces.link(ns, outName);
        int egressIfindex = out.ifindex() == in.ifindex() ? 0 : out.ifindex();

        Inet4Address v4 = (Inet4Address) sourceAddress(src4, "--src4", Inet4Address.class, ns, outName);
        Inet6Address v6 = (Inet6Address) sourceAddress(src6, "--src6", Inet6Address.class, ns, outName);
        if (v4 == null && v6 == null) {
            throw new UserError(outName + " has no global address to send tunnels from: give --src4 ADDR and/or --src6 ADDR");
        }

        byte[] gw;
        if (gatewayMac.equals("auto")) {
            gw = Interfaces.gatewayMac(ns, v4 != null ? 4 : 6);
        } else {
            gw = Addresses.parseMac(gatewayMac);
            if (gw == null) {
                throw new UserError("bad --gateway-mac \"" + gatewayMac + "\": expected aa:bb:cc:dd:ee:ff or auto");
            }
        }
        if (guePort < 1 || guePort > 65535) throw new UserError("bad --gue-port " + guePort + ": must be 1..65535");
        int effectiveMtu = mtu == 0 ? out.mtu() : mtu;
        if (effectiveMtu < 576 || effectiveMtu > 65535) {
            throw new UserError("bad --mtu " + effectiveMtu + ": must be 576..65535 (the egress link's MTU)");
        }
        return new LbConfig(egressIfindex, out.mac(), gw, v4, v6, guePort, effectiveMtu, 0);
    }

    private static InetAddress sourceAddress(String given, String option, Class<? extends InetAddress> family,
                                             String ns, String iface) {
        if (given != null) {
            InetAddress a = Addresses.parseLiteral(given);
            if (a == null || !family.isInstance(a)) {
                throw new UserError("bad " + option + " \"" + given + "\": expected an IPv"
                        + (family == Inet4Address.class ? "4" : "6") + " address");
            }
            return a;
        }
        for (InetAddress a : Interfaces.globalAddresses(ns, iface)) if (family.isInstance(a)) return a;
        return null;
    }
}
