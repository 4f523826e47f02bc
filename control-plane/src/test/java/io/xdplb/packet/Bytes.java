package io.xdplb.packet;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;

/** Big-endian field access and small conveniences shared by the builders and parsers. */
public final class Bytes {
    private Bytes() {}

    private static final HexFormat HEX = HexFormat.of();

    /** Hex to bytes; spaces, colons and newlines are ignored ("45 00 00 73", "02:00:00:00:00:01"). */
    public static byte[] hex(String s) {
        return HEX.parseHex(s.replaceAll("[\\s:]", ""));
    }

    public static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    public static byte[] mac(String s) {
        byte[] m = hex(s);
        if (m.length != 6) throw new IllegalArgumentException("not a MAC: " + s);
        return m;
    }

    public static Inet4Address v4(String literal) {
        return (Inet4Address) InetAddress.ofLiteral(literal);
    }

    public static Inet6Address v6(String literal) {
        InetAddress a = InetAddress.ofLiteral(literal);
        if (!(a instanceof Inet6Address v6)) throw new IllegalArgumentException("not IPv6: " + literal);
        return v6;
    }

    public static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    public static InetAddress ip(byte[] b, int off, int len) {
        try {
            byte[] a = new byte[len];
            System.arraycopy(b, off, a, 0, len);
            return InetAddress.getByAddress(a);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** 16 bytes as an Inet6Address, even when they spell an IPv4-mapped address. */
    public static Inet6Address ip6(byte[] b, int off) {
        try {
            return Inet6Address.getByAddress(null, slice(b, off, off + 16), -1);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    public static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    public static long u32(byte[] b, int off) {
        return ((long) u16(b, off) << 16) | u16(b, off + 2);
    }

    public static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    public static void put32(byte[] b, int off, long v) {
        put16(b, off, (int) (v >>> 16));
        put16(b, off + 2, (int) v);
    }

    public static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /** n bytes 0, 1, 2, ... (mod 256): payloads whose every byte is checkable. */
    public static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) i;
        return b;
    }
}
