package io.xdplb.model;

import io.xdplb.UserError;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Weighted Maglev consistent hashing (Eisenbud et al., NSDI 2016, section 3.4), producing the
 * ring of real ids the data path indexes by flow hash.
 *
 * <p>Each real gets a preference list, a permutation of the slots {@code (offset + j * skip) mod M},
 * and reals take turns claiming their next preferred free slot until the ring is full. Weights
 * are honoured by how often a real gets a turn: its n-th turn happens at virtual time n / weight,
 * so over the whole fill each real claims weight / totalWeight of the slots (to within one slot).
 * Ties in virtual time go to the real whose key sorts first, which for equal weights is the
 * paper's plain round robin.
 *
 * <p>Determinism: the ring depends only on the set of (key, weight) pairs and M: reals are
 * sorted by key, and offset and skip come from a fixed hash of the key's UTF-8 bytes (64-bit
 * FNV-1a, then the murmur3 fmix64 finalizer to spread FNV's weak low bits, once plain for the
 * offset and once xor'ed with a constant for the skip). No String.hashCode, no Random, no
 * HashMap iteration order: the same configuration gives the same ring on any machine and JVM,
 * which matters because two directors must agree on where a flow goes.
 */
public final class Maglev {
    private Maglev() {}

    public static final int MAX_WEIGHT = 65535;
    /** Large enough for any sensible ring; keeps M * MAX_WEIGHT and the ring array comfortably in range. */
    public static final int MAX_RING_SIZE = 1 << 24;

    /** One real as the ring sees it: its id (written into the slots), a stable key, and its weight. */
    public record Backend(int id, String key, int weight) {
        public Backend {
            if (id <= 0) throw new IllegalArgumentException("real id " + id + " must be > 0 (0 means no real)");
            if (key == null || key.isEmpty()) throw new IllegalArgumentException("empty key");
            if (weight < 0 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException("weight " + weight + " must be 0.." + MAX_WEIGHT);
            }
        }

        /** The usual case: the key is the real's canonical address text, so ids may change without moving flows. */
        public static Backend of(int id, InetAddress address, int weight) {
            return new Backend(id, IpAddresses.format(address), weight);
        }
    }

    /** Why {@code ringSize} cannot be a Maglev ring size, or null when it can. */
    public static String ringSizeProblem(long ringSize) {
        if (ringSize < 3 || ringSize > MAX_RING_SIZE) {
            return "ring size " + ringSize + " must be a prime in 3.." + MAX_RING_SIZE + ", e.g. 16381 or 65537";
        }
        // The permutation (offset + j * skip) mod M visits every slot only when M is prime.
        if (!isPrime((int) ringSize)) {
            return "ring size " + ringSize + " is not prime; use a prime such as 16381 or 65537";
        }
        return null;
    }

    /** Trial division: exact, and cheap below MAX_RING_SIZE (at most 2,048 odd divisors). */
    static boolean isPrime(int n) {
        if (n < 2 || n % 2 == 0) return n == 2;
        for (int d = 3; (long) d * d <= n; d += 2) if (n % d == 0) return false;
        return true;
    }

    /**
     * The ring: {@code ringSize} real ids. All zero when no backend has a weight above 0
     * (the data path then drops and counts the packet); otherwise every slot holds a real.
     */
    public static int[] ring(List<Backend> backends, int ringSize) {
        String problem = ringSizeProblem(ringSize);
        if (problem != null) throw new UserError(problem);
        List<Backend> live = sortedLive(backends);
        int[] ring = new int[ringSize];
        if (live.isEmpty()) return ring;

        int n = live.size();
        int[] next = new int[n]; // each backend's next slot in its preference list
        int[] skip = new int[n];
        int[] weight = new int[n];
        for (int i = 0; i < n; i++) {
            long h = fnv1a64(live.get(i).key().getBytes(StandardCharsets.UTF_8));
            next[i] = (int) Long.remainderUnsigned(fmix64(h), ringSize);
            skip[i] = (int) Long.remainderUnsigned(fmix64(h ^ SKIP_SALT), ringSize - 1) + 1;
            weight[i] = live.get(i).weight();
        }

        // turns[i] = turns taken so far; backend i's next turn is at virtual time (turns[i] + 1) / weight[i].
        // Compared exactly by cross-multiplication (fits in a long), then by sorted position.
        long[] turns = new long[n];
        PriorityQueue<Integer> queue = new PriorityQueue<>(n, (a, b) -> {
            int c = Long.compare((turns[a] + 1) * weight[b], (turns[b] + 1) * weight[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int i = 0; i < n; i++) queue.add(i);

        for (int filled = 0; filled < ringSize; filled++) {
            int i = queue.poll();
            int slot = next[i];
            while (ring[slot] != 0) slot = advance(slot, skip[i], ringSize);
            ring[slot] = live.get(i).id();
            next[i] = advance(slot, skip[i], ringSize);
            turns[i]++;
            queue.add(i);
        }
        return ring;
    }

    private static int advance(int slot, int skip, int ringSize) {
        int s = slot + skip; // both < 2^24, no overflow
        return s >= ringSize ? s - ringSize : s;
    }

    /** Backends with weight > 0, sorted by key; duplicate keys or ids are a caller bug. */
    private static List<Backend> sortedLive(List<Backend> backends) {
        List<Backend> sorted = new ArrayList<>(backends);
        sorted.sort(Comparator.comparing(Backend::key));
        var ids = new HashSet<Integer>();
        for (int i = 0; i < sorted.size(); i++) {
            if (i > 0 && sorted.get(i).key().equals(sorted.get(i - 1).key())) {
                throw new IllegalArgumentException("duplicate Maglev key " + sorted.get(i).key());
            }
            if (!ids.add(sorted.get(i).id())) throw new IllegalArgumentException("duplicate real id " + sorted.get(i).id());
        }
        sorted.removeIf(b -> b.weight() == 0);
        return sorted;
    }

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    /** Makes the skip hash independent of the offset hash (the 64-bit golden ratio). */
    private static final long SKIP_SALT = 0x9e3779b97f4a7c15L;

    /** 64-bit FNV-1a. */
    static long fnv1a64(byte[] data) {
        long h = FNV_OFFSET;
        for (byte b : data) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }

    /** murmur3's 64-bit finalizer: every input bit affects every output bit. */
    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
