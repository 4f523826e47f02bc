package io.xdplb.wire;

/** The Internet checksum (RFC 1071), computed here independently of the data path's own code. */
public final class Checksum {
    private Checksum() {}

    /** One's-complement sum of the bytes (16-bit big-endian words, odd tail padded), unfolded. */
    public static long sum(byte[] b, int off, int len) {
        long s = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) s += Bytes.u16(b, off + i);
        if (i < len) s += (b[off + i] & 0xff) << 8;
        return s;
    }

    public static int fold(long s) {
        while ((s >>> 16) != 0) s = (s & 0xffff) + (s >>> 16);
        return (int) s;
    }

    /** The checksum field value for data whose own checksum field is zero. */
    public static int of(long sum) {
        return ~fold(sum) & 0xffff;
    }

    /** True when data including its checksum field sums to 0xffff (a valid checksum). */
    public static boolean valid(long sumIncludingField) {
        return fold(sumIncludingField) == 0xffff;
    }

    /** Pseudo-header sum for TCP/UDP/ICMPv6 over IPv4 (4-byte addresses) or IPv6 (16-byte). */
    public static long pseudo(byte[] src, byte[] dst, int proto, int length) {
        return sum(src, 0, src.length) + sum(dst, 0, dst.length) + proto + length;
    }
}
