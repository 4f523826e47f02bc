package io.xdplb.model;

import io.xdplb.Messages;
import io.xdplb.UserError;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Comparator;

/**
 * IP address literals: strict parsing (never DNS) and canonical text.
 *
 * <p>Strict because the JDK's parsers accept forms an operator almost certainly did not mean:
 * {@code Inet4Address.ofLiteral("10.1")} is 10.0.0.1, "010.1.1.1" is read as decimal where
 * inet_aton reads octal, "::ffff:192.0.2.1" silently becomes an IPv4 address, and "fe80::1%eth0"
 * carries a scope the data path cannot express. All of those are refused here.
 */
public final class IpAddresses {
    private IpAddresses() {}

    public static final String EXAMPLES = "e.g. 198.51.100.2 or 2001:db8::2";

    /** Orders IPv4 before IPv6, then by address bytes (unsigned), so sorted lists read naturally. */
    public static final Comparator<InetAddress> ORDER = (a, b) -> {
        byte[] x = a.getAddress(), y = b.getAddress();
        if (x.length != y.length) return Integer.compare(x.length, y.length);
        return Arrays.compareUnsigned(x, y);
    };

    /**
     * Parses an IPv4 or IPv6 literal (IPv6 may be in brackets) for use as a host address.
     * {@code what} names the value in the error, e.g. "real address".
     */
    public static InetAddress parse(String text, String what) {
        String reason = problem(text);
        if (reason != null) throw new UserError("bad " + what + " " + Messages.quote(text) + ": " + reason);
        return parseUnchecked(text);
    }

    /** Like {@link #parse} but the address must be IPv4. */
    public static Inet4Address parse4(String text, String what) {
        InetAddress a = parse(text, what);
        if (a instanceof Inet4Address v4) return v4;
        throw new UserError("bad " + what + " " + Messages.quote(text) + ": must be an IPv4 address, e.g. 192.0.2.1");
    }

    /** Like {@link #parse} but the address must be IPv6. */
    public static Inet6Address parse6(String text, String what) {
        InetAddress a = parse(text, what);
        if (a instanceof Inet6Address v6) return v6;
        throw new UserError("bad " + what + " " + Messages.quote(text) + ": must be an IPv6 address, e.g. 2001:db8::1");
    }

    /** Why {@code text} is not a usable host address literal, or null when it is one. */
    static String problem(String text) {
        String bare = unbracket(text);
        InetAddress a = literal(bare);
        if (a == null) {
            if (bare.contains("%")) return "scoped IPv6 addresses (with %) are not supported";
            return "expected an IPv4 or IPv6 literal (no host names), " + EXAMPLES;
        }
        if (a instanceof Inet4Address && bare.contains(":")) {
            return "IPv4-mapped IPv6 addresses are not supported, write the IPv4 address " + format(a);
        }
        if (a.isAnyLocalAddress()) return "the unspecified address cannot be used here";
        if (a.isLoopbackAddress()) return "a loopback address cannot be used here";
        if (a.isMulticastAddress()) return "a multicast address cannot be used here";
        if (a.isLinkLocalAddress()) return "a link-local address cannot be used here (it is not routed)";
        if (a instanceof Inet4Address && Arrays.equals(a.getAddress(), new byte[] {-1, -1, -1, -1})) {
            return "the broadcast address cannot be used here";
        }
        if (a instanceof Inet6Address v6 && v6.isIPv4CompatibleAddress()) {
            return "IPv4-compatible IPv6 addresses (::a.b.c.d, deprecated by RFC 4291) are not supported";
        }
        return null;
    }

    /** Parses text known to be valid (see {@link #problem}). */
    static InetAddress parseUnchecked(String text) {
        InetAddress a = literal(unbracket(text));
        if (a == null) throw new IllegalArgumentException("not an address literal: " + text);
        return a;
    }

    private static String unbracket(String text) {
        if (text.length() >= 2 && text.startsWith("[") && text.endsWith("]")) {
            return text.substring(1, text.length() - 1);
        }
        return text;
    }

    /** The address, or null when text is not a strict literal. */
    private static InetAddress literal(String s) {
        if (s.isEmpty()) return null;
        if (s.indexOf(':') < 0) return dottedQuad(s);
        // Only hex digits, colons and dots (for an embedded IPv4 tail): no scope, no brackets.
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) return null;
        }
        try {
            return Inet6Address.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Exactly four decimal parts 0..255 without leading zeros (leading zeros mean octal to inet_aton). */
    private static InetAddress dottedQuad(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return null;
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) return null;
            if (p.length() > 1 && p.charAt(0) == '0') return null;
            int v = Integer.parseInt(p);
            if (v > 255) return null;
            b[i] = (byte) v;
        }
        try {
            return InetAddress.getByAddress(b); // 4 bytes: no lookup, always Inet4Address
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Canonical text: dotted quad for IPv4, RFC 5952 for IPv6 (lower case, longest zero run as ::). */
    public static String format(InetAddress a) {
        return io.xdplb.maps.Addresses.format(a);
    }

    /** Canonical text with brackets for IPv6, as it appears in front of a port. */
    public static String formatForPort(InetAddress a) {
        return a instanceof Inet6Address ? "[" + format(a) + "]" : format(a);
    }

    public static boolean isIpv6(InetAddress a) {
        return a instanceof Inet6Address;
    }

    /** "IPv4" or "IPv6", for messages. */
    public static String familyName(InetAddress a) {
        return isIpv6(a) ? "IPv6" : "IPv4";
    }
}
