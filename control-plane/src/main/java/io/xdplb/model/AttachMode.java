package io.xdplb.model;

import io.xdplb.Messages;
import io.xdplb.UserError;

import java.util.Locale;

/** How the director's XDP program is attached: in the driver (native) or in the generic skb path. */
public enum AttachMode {
    NATIVE,
    GENERIC;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AttachMode parse(String text) {
        for (AttachMode m : values()) {
            if (m.label().equalsIgnoreCase(text)) return m;
        }
        throw new UserError("bad mode " + Messages.quote(text) + ": must be native or generic");
    }

    @Override
    public String toString() {
        return label();
    }
}
