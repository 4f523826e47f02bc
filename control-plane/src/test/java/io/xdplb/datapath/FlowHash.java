package io.xdplb.datapath;

import java.net.InetAddress;

/**
 * What a test needs to predict of a flow: the ring hash (the control plane's own
 * re-implementation of the program's jhash2, shared with trace), the ring slot, and the
 * outer-header entropy behind the GUE source port and the IPv6 flow label.
 */
final class FlowHash {
    private FlowHash() {}

    static final int NO_SPORT = io.xdplb.service.trace.FlowHash.NO_SPORT, NO_CONNTRACK = 2,
            DPORT_ONLY = io.xdplb.service.trace.FlowHash.DPORT_ONLY;

    /** The ring hash: the one trace uses (io.xdplb.service.trace.FlowHash), checked here against the C program. */
    static int of(InetAddress src, int sport, int dport, int flags) {
        return io.xdplb.service.trace.FlowHash.of(src, sport, dport, flags);
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
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
