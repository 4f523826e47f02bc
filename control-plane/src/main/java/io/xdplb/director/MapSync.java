package io.xdplb.director;

import io.xdplb.UserError;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.model.Config;
import io.xdplb.model.Maglev;
import io.xdplb.model.Real;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Brings the director's maps to a configuration. What is there is read from the maps
 * themselves ({@code vip2tnl}, {@code reals}, {@code vip_addrs}, and with {@link #reconcile}
 * every live ring), never taken from the saved file, so a command killed half-way is repaired
 * by the next one instead of being remembered wrongly.
 *
 * <p>Ids live in the maps, not in the file: a real's id is the index of its address in
 * {@code reals}, a VIP's id is in its {@code vip2tnl} value. Both are taken lowest-free and
 * given back when nothing uses them, so the CLI stays stateless.
 *
 * <p>Capacity is planned before the first write: VIPs the configuration drops are removed
 * first (freeing their ids), and the configuration's VIP and real counts are checked against
 * the maps' sizes, so allocation cannot fail half-way.
 *
 * <p>A VIP's ring is replaced atomically for the data path: the new ring is written into
 * the VIP's idle slot, then one {@code vip2tnl} update flips {@code ring_slot}. Every write is
 * idempotent ({@code vip_addrs} holds a count derived from the configuration, not incremented),
 * so repeating a sync after a kill converges.
 */
public final class MapSync {
    private final BalancerMaps maps;
    private final int ringSize;
    private int written;

    public MapSync(BalancerMaps maps) {
        this.maps = maps;
        this.ringSize = maps.ringSize();
    }

    /**
     * Brings the maps from before (the saved file, a hint of which VIPs are already programmed) to
     * after. VIPs the maps hold that after lacks are removed; a VIP the same in before and after
     * and present in the maps is not rewritten. With before = null, every VIP of after is written.
     */
    public void apply(Config before, Config after) {
        sync(before, after, false);
    }

    /**
     * Makes the maps hold exactly desired, comparing with what they hold (every VIP's live ring,
     * flags and encap). Returns how many VIPs had to be written or removed: 0 means the maps
     * already matched.
     */
    public int reconcile(Config desired) {
        sync(null, desired, true);
        return written;
    }

    private void sync(Config before, Config after, boolean verifyRings) {
        written = 0;
        int maxVips = maps.vipStats.size();
        int maxReals = maps.reals.raw().maxEntries() - 1;
        if (after.vips().size() > maxVips) {
            throw new UserError(after.vips().size() + " VIPs do not fit the balancer's " + maxVips
                    + " (--max-vips); nothing was changed");
        }
        if (after.distinctReals().size() > maxReals) {
            throw new UserError(after.distinctReals().size() + " reals do not fit the balancer's " + maxReals
                    + " real ids (--max-reals); nothing was changed");
        }
        Map<Vip, VipConfig> old = new HashMap<>();
        if (before != null) for (VipConfig v : before.vips()) old.put(v.vip(), v);
        Map<VipKey, VipConfig> wanted = new HashMap<>();
        for (VipConfig v : after.vips()) wanted.put(key(v.vip()), v);
        Map<Integer, Set<Integer>> purge = new HashMap<>(); // VIP id -> reals whose flows go (null: all)

        // 1. free first: VIPs the maps hold that after lacks
        Map<VipKey, VipMeta> inMaps = new HashMap<>(maps.vip2tnl.entries());
        for (Map.Entry<VipKey, VipMeta> e : List.copyOf(inMaps.entrySet())) {
            if (wanted.containsKey(e.getKey())) continue;
            maps.vip2tnl.remove(e.getKey());
            inMaps.remove(e.getKey());
            purge.put(e.getValue().vipId(), null);
            written++;
        }

        // 2. real ids: keep those in the map, free the unused ones first when new ones need the room
        Map<InetAddress, Integer> realIds = realIds();
        Set<InetAddress> used = after.distinctReals();
        List<InetAddress> missing = new ArrayList<>();
        for (InetAddress a : used) if (!realIds.containsKey(a)) missing.add(a);
        if (realIds.size() + missing.size() > maxReals) releaseUnused(realIds, used);
        for (InetAddress a : missing) realIds.put(a, allocateRealId(a, realIds));

        // 3. VIPs: new ones get the lowest free id; changed ones a new ring in their idle slot
        Set<Integer> vipIds = new HashSet<>();
        for (VipMeta m : inMaps.values()) vipIds.add(m.vipId());
        for (VipConfig v : after.vips()) {
            VipMeta current = inMaps.get(key(v.vip()));
            // unchanged since before: not even its ring is built (a health change touches one VIP of many)
            if (current != null && !verifyRings && v.equals(old.get(v.vip()))) continue;
            int[] ring = ring(v, realIds);
            if (current != null && verifyRings && current.flags() == v.flagMask()
                    && current.encap() == v.encap().number() && Arrays.equals(liveRing(maps, current, ringSize), ring)) {
                continue;
            }
            int vipId = current != null ? current.vipId() : lowestFree(vipIds, maxVips);
            vipIds.add(vipId);
            Set<Integer> gone = new HashSet<>();
            if (current != null) {
                Set<Integer> keep = new HashSet<>();
                for (Real r : v.reals()) keep.add(realIds.get(r.address()));
                VipConfig was = old.get(v.vip());
                if (was != null) for (Real r : was.reals()) gone.add(realIds.getOrDefault(r.address(), 0));
                if (verifyRings) for (int id : liveRing(maps, current, ringSize)) gone.add(id);
                gone.removeAll(keep);
                gone.remove(0);
            } else {
                maps.vipStats.clear(vipId);
                purge.put(vipId, null); // a reused id: flows of whatever VIP had it before
            }
            writeVip(v, vipId, current == null ? 0 : 1 - current.ringSlot(), ring);
            if (!gone.isEmpty()) purge.merge(vipId, gone, (a, b) -> a == null ? null : union(a, b));
            written++;
        }

        // 4. vip_addrs: how many VIPs each address has, derived, never incremented
        Map<IpAddr, Integer> counts = new HashMap<>();
        for (VipConfig v : after.vips()) counts.merge(new IpAddr(v.vip().address()), 1, Integer::sum);
        Map<IpAddr, Integer> have = maps.vipAddrs.entries();
        for (Map.Entry<IpAddr, Integer> e : counts.entrySet()) {
            if (!e.getValue().equals(have.get(e.getKey()))) maps.vipAddrs.put(e.getKey(), e.getValue());
        }
        for (IpAddr a : have.keySet()) if (!counts.containsKey(a)) maps.vipAddrs.remove(a);

        // 5. reals nothing uses any more, then the flows that must re-hash
        releaseUnused(realIds, used);
        purgeFlows(purge);
    }

    private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
        Set<Integer> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }

    /** Address → id of every real in the reals map. */
    private Map<InetAddress, Integer> realIds() {
        Map<InetAddress, Integer> ids = new HashMap<>();
        maps.reals.entries().forEach((id, addr) -> {
            if (id != 0 && addr.address() != null) ids.put(addr.address(), id);
        });
        return ids;
    }

    /** Clears the reals that used does not name, and forgets them. */
    private void releaseUnused(Map<InetAddress, Integer> realIds, Set<InetAddress> used) {
        for (var it = realIds.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<InetAddress, Integer> e = it.next();
            if (used.contains(e.getKey())) continue;
            maps.reals.put(e.getValue(), new IpAddr(null));
            maps.realStats.clear(e.getValue());
            it.remove();
        }
    }

    private int allocateRealId(InetAddress a, Map<InetAddress, Integer> taken) {
        Set<Integer> usedIds = new HashSet<>(taken.values());
        int max = maps.reals.raw().maxEntries();
        for (int id = 1; id < max; id++) {
            if (usedIds.contains(id)) continue;
            maps.realStats.clear(id);
            maps.reals.put(id, new IpAddr(a));
            return id;
        }
        throw new IllegalStateException("no free real id although capacity was checked");
    }

    private static int lowestFree(Set<Integer> used, int max) {
        for (int id = 0; id < max; id++) if (!used.contains(id)) return id;
        throw new IllegalStateException("no free VIP id although capacity was checked");
    }

    private static VipKey key(Vip v) {
        return new VipKey(v.address(), v.port(), v.proto().number());
    }

    private int[] ring(VipConfig v, Map<InetAddress, Integer> realIds) {
        List<Maglev.Backend> backends = new ArrayList<>();
        for (Real r : v.reals()) backends.add(Maglev.Backend.of(realIds.get(r.address()), r.address(), r.weight()));
        return Maglev.ring(backends, ringSize);
    }

    private void writeVip(VipConfig v, int vipId, int slot, int[] ring) {
        int base = (vipId * 2 + slot) * ringSize;
        List<Integer> slots = new ArrayList<>(ringSize);
        List<Integer> ids = new ArrayList<>(ringSize);
        for (int i = 0; i < ringSize; i++) {
            slots.add(base + i);
            ids.add(ring[i]);
        }
        maps.ring.putAll(slots, ids);
        maps.vip2tnl.put(key(v.vip()), new VipMeta(vipId, v.flagMask(), v.encap().number(), slot));
    }

    /** Removes connection-table entries of these VIPs (to the given reals only, or all when null), in one pass. */
    private void purgeFlows(Map<Integer, Set<Integer>> purge) {
        if (purge.isEmpty()) return;
        maps.connTable.removeIf(s -> {
            if (!purge.containsKey(s.vipId())) return false;
            Set<Integer> reals = purge.get(s.vipId());
            return reals == null || reals.contains(s.realId());
        });
    }

    /** For tests and `dump`: the real ids of the VIP's live ring. */
    public int[] liveRing(Vip vip) {
        VipMeta m = Objects.requireNonNull(maps.vip2tnl.get(key(vip)).orElse(null), "no such VIP in the maps");
        return liveRing(maps, m, ringSize);
    }

    /** The live ring of the VIP with this vip2tnl value, read in batches. */
    public static int[] liveRing(BalancerMaps maps, VipMeta m, int ringSize) {
        int base = (m.vipId() * 2 + (m.ringSlot() & 1)) * ringSize;
        int[] out = new int[ringSize];
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            int chunk = ringSize; // the whole ring in one call when the kernel gives it (the loop takes the rest)
            var keys = arena.allocate(4L * chunk, 4);
            var values = arena.allocate(4L * chunk, 4);
            for (int done = 0; done < ringSize; ) {
                int want = Math.min(chunk, ringSize - done);
                int got = maps.ring.raw().lookupArrayBatch(base + done, want, keys, values);
                if (got <= 0) break;
                int take = Math.min(got, ringSize - done);
                java.lang.foreign.MemorySegment.copy(values, java.lang.foreign.ValueLayout.JAVA_INT, 0, out, done, take);
                done += take;
            }
        }
        return out;
    }
}
