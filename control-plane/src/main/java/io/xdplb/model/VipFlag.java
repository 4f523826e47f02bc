package io.xdplb.model;

import io.xdplb.Messages;
import io.xdplb.UserError;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Per-VIP behaviour switches; bits are enum xdplb_vip_flag of xdplb_abi.h (vip_meta.flags). */
public enum VipFlag {
    /** Hash without the source port: all connections of a client go to the same real. */
    NO_SPORT(1 << 0),
    /** Never read or write the connection table: the ring alone picks the real. */
    NO_CONNTRACK(1 << 1),
    /** Hash on the destination port only. */
    DPORT_ONLY(1 << 2);

    private final int bit;

    VipFlag(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    /** Name as written on the command line and in the config file: "no-sport". */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static String allowed() {
        return EnumSet.allOf(VipFlag.class).stream().map(VipFlag::label).collect(Collectors.joining(", "));
    }

    public static VipFlag parse(String text) {
        for (VipFlag f : values()) {
            if (f.label().equalsIgnoreCase(text)) return f;
        }
        throw new UserError("unknown VIP flag " + Messages.quote(text) + ": allowed flags are " + allowed());
    }

    public static int toMask(Collection<VipFlag> flags) {
        int mask = 0;
        for (VipFlag f : flags) mask |= f.bit;
        return mask;
    }

    /** The flags of a vip_meta.flags value; a bit this version does not know is an error, not silently lost. */
    public static Set<VipFlag> fromMask(int mask) {
        EnumSet<VipFlag> flags = EnumSet.noneOf(VipFlag.class);
        int rest = mask;
        for (VipFlag f : values()) {
            if ((mask & f.bit) != 0) {
                flags.add(f);
                rest &= ~f.bit;
            }
        }
        if (rest != 0) throw new IllegalArgumentException("unknown VIP flag bits 0x" + Integer.toHexString(rest));
        return flags;
    }

    /** "no-sport,dport-only" in bit order, or "none". */
    public static String format(Collection<VipFlag> flags) {
        if (flags.isEmpty()) return "none";
        return EnumSet.copyOf(flags).stream().map(VipFlag::label).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return label();
    }
}
