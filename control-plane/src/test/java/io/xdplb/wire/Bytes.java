package io.xdplb.wire;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;

/** Big-endian reads and writes on byte arrays, and concatenation: the vocabulary of the builders. */
public final class Bytes {
    private Bytes() {}

    public static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    public static int u16(byte[] b, int off) {
        return (u8(b, off) << 8) | u8(b, off + 1);
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

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    public static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    public static byte[] ip(String literal) {
        return InetAddress.ofLiteral(literal).getAddress();
    }

    public static String ipText(byte[] b, int off, int len) {
        try {
            return io.xdplb.maps.Addresses.format(InetAddress.getByAddress(slice(b, off, off + len)));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static byte[] mac(String text) {
        return io.xdplb.maps.Addresses.parseMac(text);
    }
}
