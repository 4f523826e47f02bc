package io.xdplb.service.trace;

/** The Internet checksum (RFC 1071) and the TCP/UDP pseudo-header sums, for building and judging frames. */
final class Checksums {
    private Checksums() {}

    /** One's-complement sum of b[off..off+len), folded to 16 bits, not inverted. */
    static int sum(byte[] b, int off, int len, int initial) {
        long s = initial;
        int i = 0;
        for (; i + 1 < len; i += 2) s += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        if (i < len) s += (b[off + i] & 0xff) << 8;
        while ((s >>> 16) != 0) s = (s & 0xffff) + (s >>> 16);
        return (int) s;
    }

    /** The checksum to store for b[off..off+len) (the field itself counted as zero by the caller). */
    static int of(byte[] b, int off, int len, int initial) {
        return ~sum(b, off, len, initial) & 0xffff;
    }

    /** The pseudo-header sum of TCP/UDP over IPv4 or IPv6: addresses, protocol, L4 length. */
    static int pseudo(byte[] src, byte[] dst, int proto, int l4len) {
        int s = sum(src, 0, src.length, 0);
        s = sum(dst, 0, dst.length, s);
        long t = s + proto + (l4len & 0xffff) + (l4len >>> 16);
        while ((t >>> 16) != 0) t = (t & 0xffff) + (t >>> 16);
        return (int) t;
    }

    /** Whether a region whose checksum field is included sums to all ones (i.e. is valid). */
    static boolean valid(byte[] b, int off, int len, int initial) {
        return sum(b, off, len, initial) == 0xffff;
    }
}
