package io.xdplb.service.trace;

import java.net.InetAddress;

/**
 * The director's flow hash as docs/datapath.md ("Flow hash") defines it: the kernel's jhash2
 * of 5 words, seed 0x1b873593; words 0..3 the source address read as little-endian u32s
 * (IPv4: one word, then zeros), word 4 the little-endian u32 of the bytes sport, dport
 * (network order). NO_SPORT zeroes sport; DPORT_ONLY zeroes the address and sport. trace
 * uses it to say how a ring slot was chosen, and checks it against the program's choice; the
 * data-path tests use it to predict the program's ring slots, so the C hash and this one are
 * checked against each other there.
 */
public final class FlowHash {
    private FlowHash() {}

    static final int SEED = 0x1b873593;
    public static final int NO_SPORT = 1, DPORT_ONLY = 4;

    public static int of(InetAddress src, int sport, int dport, int flags) {
        int[] k = new int[5];
        if ((flags & DPORT_ONLY) == 0) {
            byte[] a = src.getAddress();
            for (int i = 0; i < a.length / 4; i++) k[i] = le32(a, 4 * i);
        } else {
            sport = 0;
        }
        if ((flags & NO_SPORT) != 0) sport = 0;
        k[4] = le32(new byte[] {(byte) (sport >>> 8), (byte) sport, (byte) (dport >>> 8), (byte) dport}, 0);
        return jhash2(k, SEED);
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    /** include/linux/jhash.h jhash2() for 5 words. */
    private static int jhash2(int[] k, int initval) {
        int a, b, c;
        a = b = c = 0xdeadbeef + (k.length << 2) + initval;
        a += k[0];
        b += k[1];
        c += k[2];
        a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
        b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
        c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
        a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
        b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
        c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
        a += k[3];
        b += k[4];
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }
}
