package io.xdplb.health;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RiseFallTest {
    @Test
    void fallFailuresInARowTakeAnUpRealDown() {
        RiseFall r = new RiseFall(2, 3, HealthState.UP);
        assertNull(r.record(false));
        assertNull(r.record(false));
        assertEquals(HealthState.DOWN, r.record(false));
        assertEquals(HealthState.DOWN, r.state());
        assertNull(r.record(false), "already down: no new transition");
    }

    @Test
    void aPassBetweenFailuresStartsTheCountAgain() {
        RiseFall r = new RiseFall(2, 3, HealthState.UP);
        r.record(false);
        r.record(false);
        assertNull(r.record(true));
        assertNull(r.record(false));
        assertNull(r.record(false));
        assertEquals(HealthState.UP, r.state());
        assertEquals(HealthState.DOWN, r.record(false));
    }

    @Test
    void risePassesInARowBringADownRealBack() {
        RiseFall r = new RiseFall(2, 3, HealthState.DOWN);
        assertNull(r.record(true));
        assertNull(r.record(false));
        assertNull(r.record(true));
        assertEquals(HealthState.UP, r.record(true));
    }

    @Test
    void anUncheckedRealIsDecidedByWhicheverRunCompletesFirst() {
        RiseFall up = new RiseFall(2, 3, HealthState.UNCHECKED);
        assertNull(up.record(true));
        assertEquals(HealthState.UP, up.record(true));

        RiseFall down = new RiseFall(2, 3, HealthState.UNCHECKED);
        assertNull(down.record(false));
        assertNull(down.record(true));
        assertNull(down.record(false));
        assertNull(down.record(false));
        assertEquals(HealthState.DOWN, down.record(false));
    }

    @Test
    void riseAndFallOfOneActAtOnce() {
        RiseFall r = new RiseFall(1, 1, HealthState.UP);
        assertEquals(HealthState.DOWN, r.record(false));
        assertEquals(HealthState.UP, r.record(true));
        assertThrows(IllegalArgumentException.class, () -> new RiseFall(0, 1, HealthState.UP));
    }
}
