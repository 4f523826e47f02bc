package io.xdplb.health;

/**
 * The rise/fall rule of one real: {@code fall} failed checks in a row take an up (or
 * unchecked) real down, {@code rise} passed checks in a row bring a down (or unchecked) real
 * up. A single result against the run starts a new run. Not thread-safe: one checker owns it.
 */
public final class RiseFall {
    private final int rise;
    private final int fall;
    private HealthState state;
    private int passes; // passed checks in a row
    private int fails;  // failed checks in a row

    public RiseFall(int rise, int fall, HealthState initial) {
        if (rise < 1 || fall < 1) throw new IllegalArgumentException("rise and fall must be >= 1");
        this.rise = rise;
        this.fall = fall;
        this.state = initial;
    }

    public HealthState state() {
        return state;
    }

    /** Records one check; returns the new state when this result changed it, else null. */
    public HealthState record(boolean passed) {
        if (passed) {
            passes++;
            fails = 0;
        } else {
            fails++;
            passes = 0;
        }
        if (state != HealthState.UP && passes >= rise) return move(HealthState.UP);
        if (state != HealthState.DOWN && fails >= fall) return move(HealthState.DOWN);
        return null;
    }

    private HealthState move(HealthState to) {
        state = to;
        passes = 0;
        fails = 0;
        return to;
    }
}
