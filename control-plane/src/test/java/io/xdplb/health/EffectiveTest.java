package io.xdplb.health;

import io.xdplb.model.Encap;
import io.xdplb.model.HealthCheck;
import io.xdplb.model.Real;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EffectiveTest {
    static final Vip VIP = Vip.parse("203.0.113.10:80/tcp");
    static final InetAddress A = InetAddress.ofLiteral("192.0.2.11"), B = InetAddress.ofLiteral("192.0.2.12");
    static final VipConfig CHECKED = new VipConfig(VIP, Encap.IPIP, Set.of(), List.of(new Real(A, 3), new Real(B, 1)),
            1, HealthCheck.parse("tcp"));

    static HealthView down(InetAddress... reals) {
        Map<InetAddress, RealHealth> m = new java.util.HashMap<>();
        for (InetAddress r : reals) m.put(r, new RealHealth(HealthState.DOWN, Instant.EPOCH, "connect: refused"));
        return new HealthView(Map.of(VIP, m), Instant.EPOCH);
    }

    @Test
    void aDownRealGetsWeightZeroAndTheOthersKeepTheirs() {
        VipConfig e = Effective.of(CHECKED, down(A));
        assertEquals(List.of(new Real(A, 0), new Real(B, 1)), e.reals());
        assertEquals(List.of(new Real(A, 3), new Real(B, 1)), CHECKED.reals(), "the desired weights stay");
        assertEquals(1, Effective.serving(CHECKED, down(A)));
    }

    @Test
    void everyRealDownFailsOpen() {
        assertTrue(Effective.failOpen(CHECKED, down(A, B)));
        assertSame(CHECKED, Effective.of(CHECKED, down(A, B)), "all keep their weights");
        assertFalse(Effective.failOpen(CHECKED, down(A)));
    }

    @Test
    void uncheckedVipsAndUnknownRealsAreLeftAlone() {
        VipConfig unchecked = CHECKED.withCheck(HealthCheck.NONE);
        assertSame(unchecked, Effective.of(unchecked, down(A)));
        assertSame(CHECKED, Effective.of(CHECKED, HealthView.NONE));
    }
}
