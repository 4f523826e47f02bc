package io.xdplb.datapath;

import java.net.InetAddress;

/**
 * The director's flow hash, re-implemented from docs/datapath.md ("Flow hash") and the
 * kernel's jhash2 (lookup3): jhash2(k, 5, 0x1b873593), k[0..3] the source address read as
 * little-endian words, k[4] the little-endian word of the bytes sport(BE) dport(BE). With it a
 * test predicts the exact ring slot, GUE source port and IPv6 flow label of a flow.
 */
final class FlowHash {
    private FlowHash() {}

    static final int SEED = 0x1b873593;
    static final int NO_SPORT = 1, NO_CONNTRACK = 2, DPORT_ONLY = 4;

    static int of(InetAddress src, int sport, int dport, int flags) {
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

    /** Linux include/linux/jhash.h jhash2() for 5 words. */
    static int jhash2(int[] k, int initval) {
        int a, b, c;
        a = b = c = 0xdeadbeef + (k.length << 2) + initval;
        a += k[0];
        b += k[1];
        c += k[2];
        // __jhash_mix
        a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
        b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
        c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
        a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
        b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
        c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
        a += k[3];
        b += k[4];
        // __jhash_final
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    /**
     * The outer-header entropy (docs/datapath.md, "Outer-header entropy"): the xor of the source
     * address words and the ports word (the same little-endian words as the hash), folded, times
     * 0x45d9f3b, folded again. Every packet of a flow gets it, whatever picked the real; VIP flags
     * do not change it.
     */
    static int entropy(InetAddress src, int sport, int dport, int flagsIgnored) {
        byte[] a = src.getAddress();
        int x = 0;
        for (int i = 0; i < a.length / 4; i++) x ^= le32(a, 4 * i);
        x ^= le32(new byte[] {(byte) (sport >>> 8), (byte) sport, (byte) (dport >>> 8), (byte) dport}, 0);
        x ^= x >>> 16;
        x *= 0x45d9f3b;
        x ^= x >>> 16;
        return x;
    }

    /** Position in a ring of ringSize slots (the hash is unsigned). */
    static int slot(int hash, int ringSize) {
        return Integer.remainderUnsigned(hash, ringSize);
    }

    static int gueSourcePort(int hash) {
        return 0x8000 | (hash & 0x7fff);
    }

    static int flowLabel(int hash) {
        return hash & 0xfffff;
    }
}
