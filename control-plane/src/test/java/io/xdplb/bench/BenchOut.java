package io.xdplb.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Helpers of the control-plane benchmarks (JUnit tag "bench", run by `make bench` through
 * scripts/bench.sh; the default build leaves them out). Timing is a warm-up loop followed by
 * measured samples, reported as median and quartiles; nothing here asserts a timing.
 */
final class BenchOut {
    private BenchOut() {}

    static final ObjectMapper JSON = new ObjectMapper();

    /** Where results go: -Dxdplb.bench.out=DIR (scripts/bench.sh sets it), else target/bench. */
    static Path dir() throws IOException {
        String d = System.getProperty("xdplb.bench.out");
        Path p = Path.of(d == null || d.isEmpty() ? "target/bench" : d);
        Files.createDirectories(p);
        return p;
    }

    static void write(String name, ObjectNode node) throws IOException {
        Path f = dir().resolve(name);
        Files.writeString(f, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        System.out.println("bench: wrote " + f.toAbsolutePath());
    }

    /**
     * Runs op (which returns the nanoseconds of one sample) until warmNanos have passed and at
     * least minWarm times, then samples times; median, quartiles, min and max in milliseconds.
     */
    static ObjectNode sample(LongSupplier op, long warmNanos, int minWarm, int samples) {
        long start = System.nanoTime();
        int warm = 0;
        while (warm < minWarm || System.nanoTime() - start < warmNanos) {
            op.getAsLong();
            warm++;
        }
        double[] ms = new double[samples];
        for (int i = 0; i < samples; i++) ms[i] = op.getAsLong() / 1e6;
        return stats(ms, warm);
    }

    static ObjectNode stats(double[] ms, int warmups) {
        double[] s = ms.clone();
        Arrays.sort(s);
        ObjectNode n = JSON.createObjectNode();
        n.put("median_ms", q(s, 0.5));
        n.put("p25_ms", q(s, 0.25));
        n.put("p75_ms", q(s, 0.75));
        n.put("min_ms", s[0]);
        n.put("max_ms", s[s.length - 1]);
        n.put("samples", s.length);
        n.put("warmup_runs", warmups);
        return n;
    }

    private static double q(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) pos;
        return lo + 1 < sorted.length ? sorted[lo] + (pos - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
    }

    static ObjectNode jvm() {
        ObjectNode n = JSON.createObjectNode();
        n.put("java_version", System.getProperty("java.version"));
        n.put("vm", System.getProperty("java.vm.name"));
        n.put("processors", Runtime.getRuntime().availableProcessors());
        n.put("gc", java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(java.lang.management.GarbageCollectorMXBean::getName).reduce((a, b) -> a + ", " + b).orElse("?"));
        return n;
    }
}
