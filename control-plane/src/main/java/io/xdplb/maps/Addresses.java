package io.xdplb.maps;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The ABI's address convention: 16 bytes, IPv4 in the first 4, network order; family 2 or 10. */
public final class Addresses {
    private Addresses() {}

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    public static int family(InetAddress a) {
        return a instanceof Inet4Address ? AF_INET : AF_INET6;
    }

    /** Writes a's bytes at offset (16 bytes, zero-padded for IPv4). */
    public static void write(InetAddress a, MemorySegment s, long offset) {
        byte[] b = a == null ? new byte[0] : a.getAddress();
        MemorySegment.copy(new byte[16], 0, s, ValueLayout.JAVA_BYTE, offset, 16);
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, offset, b.length);
    }

    /** Reads the address of the given family at offset; null for an unknown family. */
    public static InetAddress read(MemorySegment s, long offset, int family) {
        int len = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
        if (len == 0) return null;
        byte[] b = s.asSlice(offset, len).toArray(ValueLayout.JAVA_BYTE);
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Canonical text: dotted quad for IPv4, RFC 5952 for IPv6 (lower case, longest zero run as ::). */
    public static String format(InetAddress a) {
        if (a == null) return null;
        if (a instanceof Inet4Address) return a.getHostAddress();
        byte[] b = a.getAddress();
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) w[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        // RFC 5952 4.2: compress the longest run of two or more zero groups, the first one on a tie.
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(w[i]));
        }
        return sb.toString();
    }

    /** Parses an IPv4 or IPv6 literal without any name lookup; null when it is not one. */
    public static InetAddress parseLiteral(String s) {
        try {
            return InetAddress.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public static String formatMac(byte[] mac) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < mac.length; i++) {
            if (i > 0) sb.append(':');
            sb.append(String.format("%02x", mac[i] & 0xff));
        }
        return sb.toString();
    }

    /** Parses aa:bb:cc:dd:ee:ff; null when it is not a MAC. */
    public static byte[] parseMac(String s) {
        String[] parts = s.split(":", -1);
        if (parts.length != 6) return null;
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (!parts[i].matches("[0-9a-fA-F]{2}")) return null;
            mac[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return mac;
    }
}
