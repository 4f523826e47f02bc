package io.xdplb.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xdplb.model.Maglev;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Maglev ring build time for 10, 100 and 1,000 reals at ring size 65537 (no root needed). */
@Tag("bench")
class MaglevBench {
    static final int RING = 65537;

    static List<Maglev.Backend> reals(int n) {
        List<Maglev.Backend> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            // documentation addresses: 198.51.100.0/24, 203.0.113.0/24, then 2001:db8::/32
            String key = i <= 254 ? "198.51.100." + i : i <= 508 ? "203.0.113." + (i - 254) : "2001:db8:5::" + Integer.toHexString(i);
            list.add(new Maglev.Backend(i, key, 1));
        }
        return list;
    }

    @Test
    void ringBuild() throws Exception {
        ObjectNode out = BenchOut.JSON.createObjectNode();
        out.set("jvm", BenchOut.jvm());
        out.put("ring_size", RING);
        ObjectNode results = out.putObject("ring_build");
        for (int n : new int[] {10, 100, 1000}) {
            List<Maglev.Backend> backends = reals(n);
            int[] sink = new int[1];
            ObjectNode r = BenchOut.sample(() -> {
                long t0 = System.nanoTime();
                int[] ring = Maglev.ring(backends, RING);
                long t = System.nanoTime() - t0;
                sink[0] += ring[ring.length - 1];
                return t;
            }, 3_000_000_000L, 20, 31);
            int[] ring = Maglev.ring(backends, RING);
            long filled = java.util.Arrays.stream(ring).filter(id -> id > 0).count();
            assertEquals(RING, filled, "every slot holds a real"); // a correctness check, not a timing
            r.put("reals", n);
            r.put("sink", sink[0]);
            results.set(Integer.toString(n), r);
            System.out.printf("bench: Maglev ring %d reals x %d slots: median %.2f ms%n", n, RING, r.get("median_ms").asDouble());
        }
        BenchOut.write("maglev.json", out);
    }
}
