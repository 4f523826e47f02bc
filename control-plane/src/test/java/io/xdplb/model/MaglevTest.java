package io.xdplb.model;

import io.xdplb.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaglevTest {
    private static final int DEFAULT_RING = Sizes.DEFAULT.ringSize(); // 65537
    private static final int BIG_RING = 65537;

    /** n reals with ids 1..n, keyed by address, all of the given weight. */
    private static List<Maglev.Backend> equal(int n, int weight) {
        List<Maglev.Backend> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) list.add(new Maglev.Backend(i, "198.51." + (100 + i / 256) + "." + (i % 256), weight));
        return list;
    }

    private static int[] counts(int[] ring, int maxId) {
        int[] c = new int[maxId + 1];
        for (int id : ring) c[id]++;
        return c;
    }

    private static int moved(int[] a, int[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) if (a[i] != b[i]) n++;
        return n;
    }

    @Test
    void primesAreThoseBigIntegerFinds() {
        List<Integer> ns = new ArrayList<>();
        for (int n = -3; n < 70_000; n++) ns.add(n);
        for (int n = Maglev.MAX_RING_SIZE - 2_000; n <= Maglev.MAX_RING_SIZE; n++) ns.add(n);
        for (int n : ns) {
            assertEquals(n > 1 && java.math.BigInteger.valueOf(n).isProbablePrime(50), Maglev.isPrime(n), "" + n);
        }
    }

    @Test
    void fnv1a64KnownVectors() {
        // From the FNV reference test suite (draft-eastlake-fnv).
        assertEquals(0xcbf29ce484222325L, Maglev.fnv1a64(new byte[0]));
        assertEquals(0xaf63dc4c8601ec8cL, Maglev.fnv1a64("a".getBytes(StandardCharsets.UTF_8)));
        assertEquals(0x85944171f73967e8L, Maglev.fnv1a64("foobar".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void goldenSmallRing() {
        // A change to the hash, the permutation or the turn order changes this ring: that would move
        // flows between directors running different versions, so it must be a deliberate decision.
        List<Maglev.Backend> b = List.of(new Maglev.Backend(1, "198.51.100.1", 1),
                new Maglev.Backend(2, "198.51.100.2", 1), new Maglev.Backend(3, "198.51.100.3", 2));
        assertArrayEquals(new int[] {2, 3, 1, 2, 3, 1, 3, 3, 3, 3, 1, 3, 2}, Maglev.ring(b, 13));
    }

    @Test
    void goldenChecksumOfA16381SlotRing() {
        List<Maglev.Backend> b = new ArrayList<>();
        for (int i = 1; i <= 10; i++) b.add(new Maglev.Backend(i, "198.51.100." + i, i));
        int[] ring = Maglev.ring(b, 16381);
        long h = 0xcbf29ce484222325L; // FNV-1a over the little-endian ids
        for (int id : ring) {
            for (int k = 0; k < 4; k++) {
                h ^= (id >>> (8 * k)) & 0xff;
                h *= 0x100000001b3L;
            }
        }
        assertEquals(0x800773a703f8a31fL, h);
    }

    @Test
    void inputOrderDoesNotMatter() {
        List<Maglev.Backend> b = equal(20, 1);
        b.set(3, new Maglev.Backend(4, b.get(3).key(), 5));
        int[] expected = Maglev.ring(b, DEFAULT_RING);
        Random rnd = new Random(42);
        for (int i = 0; i < 5; i++) {
            List<Maglev.Backend> shuffled = new ArrayList<>(b);
            Collections.shuffle(shuffled, rnd);
            assertArrayEquals(expected, Maglev.ring(shuffled, DEFAULT_RING));
        }
    }

    @Test
    void idsOnlyLabelTheSlots() {
        // Renumbering reals must not move flows: placement depends on keys, not ids.
        List<Maglev.Backend> a = equal(5, 1);
        List<Maglev.Backend> b = a.stream().map(x -> new Maglev.Backend(x.id() + 100, x.key(), x.weight())).toList();
        int[] ra = Maglev.ring(a, DEFAULT_RING), rb = Maglev.ring(b, DEFAULT_RING);
        for (int i = 0; i < ra.length; i++) assertEquals(ra[i] + 100, rb[i]);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 5, 10, 50, 1000})
    void everySlotFilledAndEqualSharesEqual(int n) {
        int[] ring = Maglev.ring(equal(n, 1), BIG_RING);
        int[] c = counts(ring, n);
        assertEquals(0, c[0], "empty slots");
        for (int id = 1; id <= n; id++) {
            // Turns are exact: each real claims floor or ceil of M / n slots.
            assertTrue(Math.abs(c[id] - (double) BIG_RING / n) <= 1, "real " + id + " has " + c[id]);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5, 10, 50})
    void removingOneOfNEqualRealsMovesAtMostOneNthPlusOnePercent(int n) {
        int[] before = Maglev.ring(equal(n, 1), BIG_RING);
        // Every real for small n; a spread of ten for n = 50, to keep the test quick.
        int step = n <= 10 ? 1 : n / 10;
        for (int gone = 0; gone < n; gone += step) {
            List<Maglev.Backend> rest = new ArrayList<>(equal(n, 1));
            rest.remove(gone);
            int[] after = Maglev.ring(rest, BIG_RING);
            double share = (double) moved(before, after) / BIG_RING;
            assertTrue(share <= 1.0 / n + 0.01, "n=" + n + " removing real " + (gone + 1) + " moved " + share);
            // Slots of the removed real must all move; nothing else needs to, so the share is at least 1/n.
            assertTrue(share >= 1.0 / n - 1.0 / BIG_RING * n, "moved " + share);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5, 10})
    void removalBoundHoldsAtTheDefaultRingSizeForSmallSets(int n) {
        int[] before = Maglev.ring(equal(n, 1), DEFAULT_RING);
        for (int gone = 0; gone < n; gone++) {
            List<Maglev.Backend> rest = new ArrayList<>(equal(n, 1));
            rest.remove(gone);
            double share = (double) moved(before, Maglev.ring(rest, DEFAULT_RING)) / DEFAULT_RING;
            assertTrue(share <= 1.0 / n + 0.01, "n=" + n + " moved " + share);
        }
    }

    private static void assertShares(int[] weights, int ringSize) {
        List<Maglev.Backend> b = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < weights.length; i++) {
            b.add(new Maglev.Backend(i + 1, "198.51.100." + (i + 1), weights[i]));
            total += weights[i];
        }
        int[] c = counts(Maglev.ring(b, ringSize), weights.length);
        assertEquals(0, c[0]);
        for (int i = 0; i < weights.length; i++) {
            double want = (double) weights[i] / total, got = (double) c[i + 1] / ringSize;
            assertTrue(Math.abs(got - want) <= 0.02 * want + 1.0 / ringSize,
                    "weight " + weights[i] + ": share " + got + ", want " + want);
        }
    }

    @Test
    void weightsAreHonoured() {
        assertShares(new int[] {1, 2, 3}, DEFAULT_RING);
        assertShares(new int[] {100, 1}, DEFAULT_RING);
        assertShares(new int[] {1, 100}, BIG_RING);
        assertShares(new int[] {65535, 1, 7, 300}, BIG_RING);
        assertShares(new int[] {5, 5, 5, 1}, 13);
    }

    @Test
    void weightZeroGetsNoSlotsAndDoesNotDisturbOthers() {
        List<Maglev.Backend> b = equal(4, 1);
        int[] withoutFourth = Maglev.ring(b.subList(0, 3), DEFAULT_RING);
        List<Maglev.Backend> drained = new ArrayList<>(b);
        drained.set(3, new Maglev.Backend(4, b.get(3).key(), 0));
        int[] ring = Maglev.ring(drained, DEFAULT_RING);
        assertEquals(0, counts(ring, 4)[4]);
        assertArrayEquals(withoutFourth, ring, "a drained real is as if it were not there");
    }

    @Test
    void noLiveRealGivesAnEmptyRing() {
        assertArrayEquals(new int[13], Maglev.ring(List.of(), 13));
        assertArrayEquals(new int[13], Maglev.ring(equal(3, 0), 13));
    }

    @Test
    void bigRingWithManyRealsIsComplete() {
        List<Maglev.Backend> b = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) b.add(new Maglev.Backend(i, "real-" + i, 1 + i % 7));
        int[] c = counts(Maglev.ring(b, BIG_RING), 1000);
        assertEquals(0, c[0]);
        for (int i = 1; i <= 1000; i++) assertTrue(c[i] > 0, "real " + i + " has no slot");
    }

    @Test
    void ringSizeMustBePrime() {
        assertEquals("ring size 1000 is not prime; use a prime such as 16381 or 65537",
                assertThrows(UserError.class, () -> Maglev.ring(equal(2, 1), 1000)).getMessage());
        assertEquals("ring size 2 must be a prime in 3..16777216, e.g. 16381 or 65537",
                assertThrows(UserError.class, () -> Maglev.ring(equal(2, 1), 2)).getMessage());
        assertEquals(null, Maglev.ringSizeProblem(65537));
        assertEquals(null, Maglev.ringSizeProblem(16381));
        assertFalse(Maglev.ringSizeProblem(65536) == null);
    }

    @Test
    void callerBugsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Maglev.Backend(0, "x", 1));
        assertThrows(IllegalArgumentException.class, () -> new Maglev.Backend(1, "x", -1));
        assertThrows(IllegalArgumentException.class, () -> new Maglev.Backend(1, "x", 65536));
        assertThrows(IllegalArgumentException.class, () -> Maglev.ring(
                List.of(new Maglev.Backend(1, "x", 1), new Maglev.Backend(2, "x", 1)), 13));
        assertThrows(IllegalArgumentException.class, () -> Maglev.ring(
                List.of(new Maglev.Backend(1, "x", 1), new Maglev.Backend(1, "y", 1)), 13));
    }
}
