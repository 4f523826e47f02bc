package io.xdplb.model;

import io.xdplb.director.RingFingerprint;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class RingFingerprintUnitTest {
    @Test
    void dependsOnTheRealsAddressesInSlotOrderNotOnTheirIds() {
        int[] ring = {1, 2, 1, 0, 2};
        String f = RingFingerprint.of(ring, Map.of(1, "192.0.2.11", 2, "192.0.2.12"));
        assertEquals(12, f.length());
        assertEquals(f, RingFingerprint.of(new int[] {7, 3, 7, 0, 3}, Map.of(7, "192.0.2.11", 3, "192.0.2.12")),
                "other ids, same addresses in the same slots");
        assertNotEquals(f, RingFingerprint.of(new int[] {2, 1, 2, 0, 1}, Map.of(1, "192.0.2.11", 2, "192.0.2.12")),
                "the reals swapped");
        assertNotEquals(f, RingFingerprint.of(new int[] {1, 2, 1, 1, 2}, Map.of(1, "192.0.2.11", 2, "192.0.2.12")),
                "one slot differs");
        // a fixed value (`printf '192.0.2.11\n-\n' | sha256sum`): the same on every version and machine
        assertEquals("0476000f574e", RingFingerprint.of(new int[] {1, 0}, Map.of(1, "192.0.2.11")));
    }
}
