package io.xdplb.model;

import io.xdplb.Messages;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.Locale;
import java.util.Objects;

/**
 * Where and how the director program is attached (`xdplb attach`).
 *
 * @param iface      ingress interface
 * @param netns      network namespace under /run/netns, or null for the caller's own
 * @param mode       native (driver) or generic XDP
 * @param egress     interface packets leave by (bpf_redirect), or null: XDP_TX out of {@code iface}
 * @param gatewayMac next hop's MAC, lower case aa:bb:cc:dd:ee:ff, or "auto" (resolved at attach time)
 * @param src4       outer source address of IPv4 tunnels, or null when none is configured
 * @param src6       outer source address of IPv6 tunnels, or null when none is configured
 * @param guePort    GUE destination port
 * @param mtu        largest L3 packet the egress link carries
 * @param floodThreshold new flows per second per CPU above which the director inserts none into its
 *                   connection table (SYN-flood mode); 0: no limit
 */
public record Director(String iface, String netns, AttachMode mode, String egress, String gatewayMac,
                       Inet4Address src4, Inet6Address src6, int guePort, int mtu, int floodThreshold) {
    public static final String AUTO_MAC = "auto";
    public static final int DEFAULT_GUE_PORT = 6080;
    public static final int DEFAULT_MTU = 1500;
    public static final int MIN_MTU = 576;
    /** katran's default (MAX_CONN_RATE): new flows per second per CPU. */
    public static final int DEFAULT_FLOOD_THRESHOLD = 125_000;

    public Director {
        Names.checkIface("iface", iface);
        Names.checkNetns("netns", netns);
        Objects.requireNonNull(mode, "mode");
        if (egress != null) Names.checkIface("egress", egress);
        if (gatewayMac == null) gatewayMac = AUTO_MAC;
        gatewayMac = gatewayMac.toLowerCase(Locale.ROOT);
        String macProblem = macProblem(gatewayMac);
        if (macProblem != null) throw new Invalid("gatewayMac", Messages.quote(gatewayMac), macProblem);
        checkSource("src4", src4);
        checkSource("src6", src6);
        Names.checkPort("guePort", guePort);
        if (mtu < MIN_MTU || mtu > 65535) throw new Invalid("mtu", "" + mtu, "must be " + MIN_MTU + "..65535");
        if (floodThreshold < 0) {
            throw new Invalid("floodThreshold", "" + floodThreshold, "must be 0 (no limit) or a number of new flows per second per CPU");
        }
    }

    /** A director on {@code iface} with every other setting at its default. */
    public static Director withDefaults(String iface, String netns) {
        return new Director(iface, netns, AttachMode.NATIVE, null, AUTO_MAC, null, null, DEFAULT_GUE_PORT, DEFAULT_MTU,
                DEFAULT_FLOOD_THRESHOLD);
    }

    /** The same director on another interface name (the interface it runs on was renamed). */
    public Director withIface(String name) {
        return new Director(name, netns, mode, egress, gatewayMac, src4, src6, guePort, mtu, floodThreshold);
    }

    /** The interface's identity: the same name in two namespaces is two interfaces. */
    public String where() {
        return netns == null ? iface : iface + " (netns " + netns + ")";
    }

    public boolean sameInterface(String otherIface, String otherNetns) {
        return iface.equals(otherIface) && Objects.equals(netns, otherNetns);
    }

    public boolean autoGatewayMac() {
        return gatewayMac.equals(AUTO_MAC);
    }

    /** The gateway MAC's 6 bytes; only when it is not "auto". */
    public byte[] gatewayMacBytes() {
        if (autoGatewayMac()) throw new IllegalStateException("gateway MAC is auto");
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) mac[i] = (byte) Integer.parseInt(gatewayMac.substring(3 * i, 3 * i + 2), 16);
        return mac;
    }

    private static String macProblem(String mac) {
        if (mac.equals(AUTO_MAC)) return null;
        if (!mac.matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}")) return "must be a MAC like aa:bb:cc:dd:ee:ff, or auto";
        if (mac.equals("00:00:00:00:00:00")) return "the all-zero MAC cannot be a next hop";
        if ((Integer.parseInt(mac.substring(0, 2), 16) & 1) != 0) return "a multicast or broadcast MAC cannot be a next hop";
        return null;
    }

    private static void checkSource(String field, java.net.InetAddress a) {
        if (a == null) return;
        String p = IpAddresses.problem(IpAddresses.format(a));
        if (p != null) throw new Invalid(field, Messages.quote(IpAddresses.format(a)), p);
    }
}
