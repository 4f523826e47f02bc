package io.xdplb.director;

import io.xdplb.UserError;

import java.math.BigInteger;

/**
 * Load-time sizes of the director's maps. The ring holds two rings of ringSize slots
 * per VIP (one live, one being rebuilt), so its memory is maxVips * 2 * ringSize * 4 bytes.
 */
public record BalancerSizes(int maxVips, int maxReals, int ringSize, int connTableSize) {
    public static final BalancerSizes DEFAULT = new BalancerSizes(256, 4096, 16381, 65536);

    public BalancerSizes {
        if (maxVips < 1 || maxVips > 65536) throw new UserError("max VIPs " + maxVips + " out of range: 1..65536");
        if (maxReals < 2 || maxReals > 1 << 20) throw new UserError("max reals " + maxReals + " out of range: 2..1048576");
        if (ringSize < 3 || !BigInteger.valueOf(ringSize).isProbablePrime(40)) {
            throw new UserError("ring size " + ringSize + " must be a prime >= 3 (e.g. 16381 or 65537)");
        }
        if ((long) maxVips * 2 * ringSize > Integer.MAX_VALUE / 4) {
            throw new UserError("max VIPs " + maxVips + " x ring size " + ringSize + " is too large for one BPF array");
        }
        if (connTableSize < 1) throw new UserError("connection table size " + connTableSize + " must be positive");
    }

    public long ringEntries() {
        return (long) maxVips * 2 * ringSize;
    }
}
