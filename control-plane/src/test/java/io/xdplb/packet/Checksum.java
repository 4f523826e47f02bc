package io.xdplb.packet;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The Internet checksum (RFC 1071): the one's-complement of the one's-complement sum of
 * 16-bit big-endian words, an odd trailing byte padded with a zero byte. Written
 * independently of the BPF code so that tests can check its output.
 */
public final class Checksum {
    private Checksum() {}

    /** The one's-complement sum of bytes [off, off+len), folded to 16 bits. */
    public static int sum(byte[] b, int off, int len) {
        long s = 0;
        for (int i = 0; i + 1 < len; i += 2) s += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        if ((len & 1) != 0) s += (b[off + len - 1] & 0xff) << 8;
        return fold(s);
    }

    public static int sum(byte[] b) {
        return sum(b, 0, b.length);
    }

    /** End-around carry until 16 bits remain. */
    public static int fold(long s) {
        while ((s >>> 16) != 0) s = (s & 0xffff) + (s >>> 16);
        return (int) s;
    }

    /** One's-complement addition of folded sums. */
    public static int add(int a, int b) {
        return fold((long) a + b);
    }

    /** The checksum field value for data whose checksum field holds zero. */
    public static int compute(byte[] b, int off, int len) {
        return ~sum(b, off, len) & 0xffff;
    }

    /** True when data that contains its checksum sums to 0xffff (RFC 1071 "verify"). */
    public static boolean verifies(byte[] b, int off, int len) {
        return sum(b, off, len) == 0xffff;
    }

    /** Sum of the pseudo-header: RFC 768/793 for IPv4 (12 bytes), RFC 8200 8.1 for IPv6 (40 bytes). */
    public static int pseudoHeaderSum(InetAddress src, InetAddress dst, int protocol, int upperLength) {
        byte[] s = src.getAddress(), d = dst.getAddress();
        if (s.length != d.length) throw new IllegalArgumentException("mixed address families");
        byte[] ph;
        if (src instanceof Inet4Address) {
            ph = new byte[12];
            System.arraycopy(s, 0, ph, 0, 4);
            System.arraycopy(d, 0, ph, 4, 4);
            ph[9] = (byte) protocol;
            ph[10] = (byte) (upperLength >>> 8);
            ph[11] = (byte) upperLength;
        } else {
            ph = new byte[40];
            System.arraycopy(s, 0, ph, 0, 16);
            System.arraycopy(d, 0, ph, 16, 16);
            ph[32] = (byte) (upperLength >>> 24);
            ph[33] = (byte) (upperLength >>> 16);
            ph[34] = (byte) (upperLength >>> 8);
            ph[35] = (byte) upperLength;
            ph[39] = (byte) protocol;
        }
        return sum(ph);
    }

    /** Checksum field value of an upper-layer segment (its own checksum field zero) with its pseudo-header. */
    public static int transport(InetAddress src, InetAddress dst, int protocol, byte[] segment) {
        return ~add(pseudoHeaderSum(src, dst, protocol, segment.length), sum(segment)) & 0xffff;
    }

    /** True when a TCP/UDP/ICMPv6 segment that carries its checksum verifies against its pseudo-header. */
    public static boolean transportVerifies(InetAddress src, InetAddress dst, int protocol, byte[] segment) {
        return add(pseudoHeaderSum(src, dst, protocol, segment.length), sum(segment)) == 0xffff;
    }

    /** True when an IPv4 header (IHL*4 bytes at off) carries a valid header checksum. */
    public static boolean ipv4HeaderVerifies(byte[] packet, int off) {
        int ihl = (packet[off] & 0x0f) * 4;
        return verifies(packet, off, ihl);
    }
}
