package io.xdplb.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xdplb.director.BalancerMaps;
import io.xdplb.director.BalancerObject;
import io.xdplb.director.MapSync;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.model.Config;
import io.xdplb.model.Encap;
import io.xdplb.model.Proto;
import io.xdplb.model.Real;
import io.xdplb.model.Sizes;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The director's maps driven through the Java API, as `xdplb attach`/`apply` drive them:
 * MapSync.apply of 256 VIPs x 16 reals (ring 65537, the other sizes at their defaults; the
 * default of 64 VIPs is raised to 256 so that they fit), a one-real change, and raw map
 * updates per second. Loads the real balancer object (root), pins nothing, attaches nothing.
 */
@Tag("bench")
@RootOnly
class MapSyncBench {
    static final int VIPS = 256, REALS_PER_VIP = 16;
    static final Sizes SIZES = new Sizes(VIPS, Sizes.DEFAULT.maxReals(), Sizes.DEFAULT.ringSize(),
            Sizes.DEFAULT.connTableSize());

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    /** A pool of 508 documentation addresses for the reals. */
    static InetAddress pool(int i) {
        i %= 508;
        return addr(i < 254 ? "198.51.100." + (i + 1) : "203.0.113." + (i - 253));
    }

    static Vip vip(int i) {
        return new Vip(addr("192.0.2." + (1 + i % 128)), i < 128 ? 80 : 443, Proto.TCP);
    }

    static Config config(int extraReal) {
        List<VipConfig> vips = new ArrayList<>();
        for (int i = 0; i < VIPS; i++) {
            List<Real> reals = new ArrayList<>();
            for (int j = 0; j < REALS_PER_VIP; j++) reals.add(new Real(pool(i * REALS_PER_VIP + j), 1));
            if (i == 0 && extraReal > 0) reals.add(new Real(pool(400), 1));
            vips.add(new VipConfig(vip(i), Encap.IPIP, Set.of(), reals));
        }
        return new Config(SIZES, null, vips, List.of(), null);
    }

    @Test
    void mapSync() throws Exception {
        ObjectNode out = BenchOut.JSON.createObjectNode();
        out.set("jvm", BenchOut.jvm());
        out.put("vips", VIPS);
        out.put("reals_per_vip", REALS_PER_VIP);
        out.put("ring_size", SIZES.ringSize());
        Config empty = new Config(SIZES, null, List.of(), List.of(), null);
        Config full = config(0), plusOne = config(1);

        long t0 = System.nanoTime();
        try (BpfObject obj = BalancerObject.load(SIZES)) {
            out.put("object_load_ms", (System.nanoTime() - t0) / 1e6);
            BalancerMaps maps = BalancerMaps.of(obj::map);
            MapSync sync = new MapSync(maps);

            // the first apply, in a fresh JVM (what one `xdplb apply` does, minus JVM start and attach)
            t0 = System.nanoTime();
            sync.apply(null, full);
            out.put("apply_256x16_first_ms", (System.nanoTime() - t0) / 1e6);
            assertEquals(VIPS, maps.vip2tnl.entries().size()); // correctness, not timing

            // warm: remove everything, apply everything again; one sample per round
            ObjectNode warm = BenchOut.sample(() -> {
                sync.apply(full, empty);
                long s = System.nanoTime();
                sync.apply(empty, full);
                return System.nanoTime() - s;
            }, 0, 1, 3);
            out.set("apply_256x16_warm", warm);
            System.out.printf("bench: MapSync.apply 256 VIPs x 16 reals: first %.0f ms, warm median %.0f ms%n",
                    out.get("apply_256x16_first_ms").asDouble(), warm.get("median_ms").asDouble());

            // one real more in one VIP: one ring (65537 slots) rewritten and flipped
            boolean[] on = {false};
            ObjectNode one = BenchOut.sample(() -> {
                long s = System.nanoTime();
                if (on[0]) sync.apply(plusOne, full);
                else sync.apply(full, plusOne);
                on[0] = !on[0];
                return System.nanoTime() - s;
            }, 2_000_000_000L, 10, 21);
            out.set("apply_one_real_change", one);
            if (on[0]) sync.apply(plusOne, full);

            // raw updates: single-element updates of an array and a hash map, batched ring writes
            ObjectNode rates = out.putObject("map_updates_per_second");
            IpAddr real = new IpAddr(pool(7));
            int maxReal = maps.reals.raw().maxEntries() - 1;
            int[] next = {1};
            rates.set("reals_array_single", rate(() -> {
                maps.reals.put(next[0], real);
                next[0] = next[0] % maxReal + 1;
            }, 1));
            VipKey key = new VipKey(vip(0).address(), vip(0).port(), Proto.TCP.number());
            VipMeta meta = maps.vip2tnl.get(key).orElseThrow();
            rates.set("vip2tnl_hash_single", rate(() -> maps.vip2tnl.put(key, meta), 1));
            int ringSize = SIZES.ringSize();
            List<Integer> slots = new ArrayList<>(ringSize), ids = new ArrayList<>(ringSize);
            int base = (meta.vipId() * 2 + (1 - meta.ringSlot())) * ringSize; // the idle ring
            for (int i = 0; i < ringSize; i++) {
                slots.add(base + i);
                ids.add(1 + i % REALS_PER_VIP);
            }
            rates.set("ring_array_batch", rate(() -> maps.ring.putAll(slots, ids), ringSize));
            for (String k : new String[] {"reals_array_single", "vip2tnl_hash_single", "ring_array_batch"}) {
                System.out.printf("bench: %s: %.0f updates/s%n", k, rates.get(k).get("median_per_second").asDouble());
            }
        }
        BenchOut.write("mapsync.json", out);
    }

    /** Elements written per second by op (each call writes perCall): 7 samples of about 0.3 s after 1 s of warm-up. */
    static ObjectNode rate(Runnable op, int perCall) {
        long end = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < end) op.run();
        double[] perSec = new double[7];
        for (int s = 0; s < perSec.length; s++) {
            long calls = 0, t0 = System.nanoTime(), t;
            do {
                op.run();
                calls++;
                t = System.nanoTime();
            } while (t - t0 < 300_000_000L);
            perSec[s] = calls * (double) perCall / ((t - t0) / 1e9);
        }
        double[] sorted = perSec.clone();
        java.util.Arrays.sort(sorted);
        ObjectNode n = BenchOut.JSON.createObjectNode();
        n.put("median_per_second", sorted[sorted.length / 2]);
        n.put("min_per_second", sorted[0]);
        n.put("max_per_second", sorted[sorted.length - 1]);
        n.put("elements_per_call", perCall);
        return n;
    }
}
