package io.xdplb.model;

import io.xdplb.Messages;
import io.xdplb.UserError;

import java.util.Locale;

/** The transport protocols a VIP balances, with their IP protocol numbers (as in vip_key.proto). */
public enum Proto {
    TCP(6),
    UDP(17);

    private final int number;

    Proto(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** Lower-case name as written in VIPs: "tcp", "udp". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Case-insensitive; null when text is neither tcp nor udp. */
    static Proto parseOrNull(String text) {
        for (Proto p : values()) {
            if (p.label().equalsIgnoreCase(text)) return p;
        }
        return null;
    }

    public static Proto parse(String text) {
        Proto p = parseOrNull(text);
        if (p == null) throw new UserError("bad protocol " + Messages.quote(text) + ": must be tcp or udp");
        return p;
    }

    public static Proto ofNumber(int number) {
        for (Proto p : values()) {
            if (p.number == number) return p;
        }
        throw new IllegalArgumentException("no protocol " + number);
    }

    @Override
    public String toString() {
        return label();
    }
}
