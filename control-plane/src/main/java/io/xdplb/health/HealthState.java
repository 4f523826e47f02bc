package io.xdplb.health;

import java.util.Locale;

/** What the agent knows of a real: up, down, or not (yet) checked. Only DOWN takes it out of the ring. */
public enum HealthState {
    UP, DOWN, UNCHECKED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static HealthState parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
