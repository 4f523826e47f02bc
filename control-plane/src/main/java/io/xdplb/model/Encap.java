package io.xdplb.model;

import io.xdplb.Messages;
import io.xdplb.UserError;

import java.net.InetAddress;
import java.util.Locale;

/** How the director tunnels a packet to a real; numbers are enum xdplb_encap of xdplb_abi.h. */
public enum Encap {
    /** IP in IP: 4in4, 6in6 and 4in6. The outer family is the real's, so an IPv6 VIP cannot reach an IPv4 real. */
    IPIP(0),
    /** GUE variant 1 (UDP, then the inner IP packet): any inner family in either outer family. */
    GUE(1);

    /** What a VIP gets when nothing is said: the cheaper header. */
    public static final Encap DEFAULT = IPIP;

    private final int number;

    Encap(int number) {
        this.number = number;
    }

    /** XDPLB_ENCAP_* as stored in vip_meta.encap. */
    public int number() {
        return number;
    }

    /** "ipip" or "gue". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Encap parse(String text) {
        for (Encap e : values()) {
            if (e.label().equalsIgnoreCase(text)) return e;
        }
        throw new UserError("bad encap " + Messages.quote(text) + ": must be ipip or gue");
    }

    public static Encap ofNumber(int number) {
        for (Encap e : values()) {
            if (e.number == number) return e;
        }
        throw new IllegalArgumentException("no encap " + number);
    }

    /**
     * Why this encapsulation cannot carry packets for {@code vip} to {@code real}, or null if it can.
     * IPIP's outer header is the real's family and its inner the VIP's; the kernel and our decap
     * program know 4in4, 6in6 and 4in6, but there is no IPv6-in-IPv4 IPIP (that is 6in4/SIT,
     * which the data path does not speak), so an IPv6 VIP with an IPv4 real needs GUE.
     */
    public String problem(Vip vip, InetAddress real) {
        if (this == IPIP && vip.isIpv6() && !IpAddresses.isIpv6(real)) {
            return "encap ipip cannot carry IPv6 VIP " + vip + " to IPv4 real " + IpAddresses.format(real)
                    + " (no IPv6 in IPv4 IPIP): use --encap gue";
        }
        return null;
    }

    /** Throws {@link UserError} when {@link #problem} says so. */
    public void check(Vip vip, InetAddress real) {
        String p = problem(vip, real);
        if (p != null) throw new UserError(p);
    }

    @Override
    public String toString() {
        return label();
    }
}
