package io.xdplb.health;

import java.time.Instant;

/**
 * The health of one real of one VIP as the agent last decided it.
 *
 * @param since     when it entered this state (null for unchecked)
 * @param lastError the reason of the last failed check, or null when none failed yet
 */
public record RealHealth(HealthState state, Instant since, String lastError) {
    public static final RealHealth UNCHECKED = new RealHealth(HealthState.UNCHECKED, null, null);
}
