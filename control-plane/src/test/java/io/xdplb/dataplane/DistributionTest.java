package io.xdplb.dataplane;

import io.xdplb.model.Encap;
import io.xdplb.testing.RootOnly;
import io.xdplb.wire.Ip;
import io.xdplb.wire.Packets;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static io.xdplb.dataplane.BalancerUnderTest.REALS4;
import static io.xdplb.dataplane.BalancerUnderTest.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 10,000 random flows over three equal reals, through the real hash and the real Maglev ring. */
@RootOnly
class DistributionTest {
    @Test
    void tenThousandFlowsSpreadEvenly() {
        try (BalancerUnderTest lb = new BalancerUnderTest()) {
            lb.vip("203.0.113.10:80/tcp", Encap.IPIP, REALS4);
            Random random = new Random(20261123); // fixed: the same flows every run
            Map<String, Integer> perReal = new TreeMap<>();
            for (int i = 0; i < 10_000; i++) {
                String client = "198.51.100." + (1 + random.nextInt(254));
                int sport = 1024 + random.nextInt(64000);
                var r = lb.run(tcp(client, sport, "203.0.113.10", 80, Packets.SYN));
                perReal.merge(new Ip(r.data(), 14).dst(), 1, Integer::sum);
            }
            assertEquals(3, perReal.size(), perReal.toString());
            for (int n : perReal.values()) {
                assertTrue(Math.abs(n - 10_000 / 3.0) <= 0.05 * 10_000 / 3.0, "within ±5% of a third: " + perReal);
            }
        }
    }
}
