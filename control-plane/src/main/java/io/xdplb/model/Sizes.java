package io.xdplb.model;

/**
 * Sizes of the director's maps, fixed when its object is loaded (changing them means a reload).
 * The ring map holds two rings per VIP (one live, one being rebuilt): maxVips * 2 * ringSize slots.
 * Real id 0 means "no real", so at most maxReals - 1 distinct reals fit.
 */
public record Sizes(int maxVips, int maxReals, int ringSize, int connTableSize) {
    public static final Sizes DEFAULT = new Sizes(64, 4096, 65537, 65536);

    public Sizes {
        if (maxVips < 1 || maxVips > 65536) throw new Invalid("maxVips", "" + maxVips, "must be 1..65536");
        if (maxReals < 2 || maxReals > 1 << 20) throw new Invalid("maxReals", "" + maxReals, "must be 2..1048576");
        String ringProblem = Maglev.ringSizeProblem(ringSize);
        if (ringProblem != null) throw new Invalid("ringSize", "" + ringSize, ringProblem);
        // One BPF array of 4-byte values: keep it well below the kernel's size limits.
        if ((long) maxVips * 2 * ringSize > Integer.MAX_VALUE / 4) {
            throw new Invalid("ringSize", "" + ringSize, "maxVips " + maxVips + " x 2 rings x " + ringSize
                    + " slots is too large for one BPF array; lower maxVips or ringSize");
        }
        if (connTableSize < 1 || connTableSize > 1 << 26) {
            throw new Invalid("connTableSize", "" + connTableSize, "must be 1..67108864");
        }
    }

    /** How many distinct reals a configuration may use (ids 1..maxReals-1). */
    public int realCapacity() {
        return maxReals - 1;
    }
}
