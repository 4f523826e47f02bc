package io.xdplb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.xdplb.testing.JavaCli;
import io.xdplb.testing.RootOnly;
import io.xdplb.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Eight `xdplb real add` processes at once on one VIP: the file lock serialises them and none is lost. */
@RootOnly
class ParallelRealAddTest {
    private static final String VIP = "192.0.2.10:80/tcp";
    private static final int N = 8;

    private Lab lab;

    @BeforeEach
    void setUp() {
        lab = new Lab("t-cli-par-" + ProcessHandle.current().pid());
    }

    @AfterEach
    void tearDown() {
        lab.close();
    }

    @Test
    void eightProcessesAddingRealsToOneVipAllLand() throws Exception {
        lab.attach().ok();
        lab.ok("vip", "add", VIP);
        List<String> cp = JavaCli.runtimeClassPath();
        CyclicBarrier start = new CyclicBarrier(N);
        List<Future<Sh.Result>> runs = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(N)) {
            for (int i = 1; i <= N; i++) {
                String real = "198.51.100." + (10 + i);
                runs.add(pool.submit(() -> {
                    start.await();
                    return JavaCli.run(List.of(), cp, "--instance", lab.instance, "real", "add", VIP, real);
                }));
            }
            for (int i = 1; i <= N; i++) {
                Sh.Result r = runs.get(i - 1).get();
                assertEquals(0, r.exit(), "process " + i + ": " + r.err());
                assertEquals("added real 198.51.100." + (10 + i) + " to VIP " + VIP + " (weight 1)\n", r.out());
                assertEquals("", r.err());
            }
        }

        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= N; i++) expected.add("198.51.100." + (10 + i));

        List<String> listed = new ArrayList<>();
        for (JsonNode r : lab.json("real", "list", VIP, "--json")) {
            assertEquals(1, r.path("weight").asInt());
            listed.add(r.path("address").asText());
        }
        assertEquals(expected, listed, "real list shows every real");

        List<String> inMap = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (JsonNode r : lab.json("dump", "reals").path("reals")) {
            inMap.add(r.path("address").asText());
            ids.add(r.path("id").asInt());
        }
        inMap.sort(null);
        assertEquals(expected, inMap, "dump reals shows every real");
        assertEquals(N, ids.stream().distinct().filter(id -> id > 0).count(), "8 distinct real ids: " + ids);

        JsonNode ring = lab.json("dump", "ring").path("ring").get(0).path("slotsPerReal");
        assertEquals(N, ring.size(), "every real is on the ring: " + ring);
    }
}
