package io.xdplb.director;

import io.xdplb.UserError;
import io.xdplb.maps.FlowKey;
import io.xdplb.maps.FlowState;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Brings the director's maps from one configuration to the next, touching only what changed.
 *
 * <p>Ids live in the maps, not in the file: a real's id is the index of its address in
 * {@code reals}, a VIP's id is in its {@code vip2tnl} value. Both are taken lowest-free and
 * given back when nothing uses them, so the CLI stays stateless.
 *
 * <p>A VIP's ring is replaced atomically for the data path: the new ring is written into
 * the VIP's idle slot, then one {@code vip2tnl} update flips {@code ring_slot}.
 */
public final class MapSync {
    private final BalancerMaps maps;
    private final int ringSize;

    public MapSync(BalancerMaps maps) {
        this.maps = maps;
        this.ringSize = maps.sizes().ringSize();
    }

    /** Applies the difference between before and after; with before = null, writes everything in after. */
    public void apply(Config before, Config after) {
        Map<Vip, VipConfig> old = new HashMap<>();
        if (before != null) for (VipConfig v : before.vips()) old.put(v.vip(), v);
        Map<InetAddress, Integer> realIds = realIds();
        for (InetAddress a : after.distinctReals()) if (!realIds.containsKey(a)) realIds.put(a, allocateRealId(a, realIds));

        Set<Vip> keep = new HashSet<>();
        for (VipConfig v : after.vips()) {
            keep.add(v.vip());
            VipConfig was = old.get(v.vip());
            if (v.equals(was)) continue;
            writeVip(v, was, realIds);
        }
        for (VipConfig v : old.values()) if (!keep.contains(v.vip())) deleteVip(v);

        Set<InetAddress> used = after.distinctReals();
        for (Map.Entry<InetAddress, Integer> e : realIds.entrySet()) {
            if (used.contains(e.getKey())) continue;
            maps.reals.put(e.getValue(), new IpAddr(null));
            maps.realStats.clear(e.getValue());
        }
    }

    /** Address → id of every real in the reals map. */
    private Map<InetAddress, Integer> realIds() {
        Map<InetAddress, Integer> ids = new HashMap<>();
        maps.reals.entries().forEach((id, addr) -> {
            if (id != 0 && addr.address() != null) ids.put(addr.address(), id);
        });
        return ids;
    }

    private int allocateRealId(InetAddress a, Map<InetAddress, Integer> taken) {
        Set<Integer> used = new HashSet<>(taken.values());
        int max = maps.reals.raw().maxEntries();
        for (int id = 1; id < max; id++) {
            if (used.contains(id)) continue;
            maps.reals.put(id, new IpAddr(a));
            maps.realStats.clear(id);
            return id;
        }
        throw new UserError("no free real id: the balancer holds at most " + (max - 1) + " reals (--max-reals)");
    }

    private static VipKey key(Vip v) {
        return new VipKey(v.address(), v.port(), v.proto().number());
    }

    private void writeVip(VipConfig v, VipConfig was, Map<InetAddress, Integer> realIds) {
        VipKey key = key(v.vip());
        VipMeta current = maps.vip2tnl.get(key).orElse(null);
        int vipId = current != null ? current.vipId() : allocateVipId();
        int slot = current == null ? 0 : 1 - current.ringSlot();

        List<Maglev.Backend> backends = new ArrayList<>();
        for (Real r : v.reals()) backends.add(Maglev.Backend.of(realIds.get(r.address()), r.address(), r.weight()));
        int[] ring = Maglev.ring(backends, ringSize);
        int base = (vipId * 2 + slot) * ringSize;
        List<Integer> slots = new ArrayList<>(ringSize);
        List<Integer> ids = new ArrayList<>(ringSize);
        for (int i = 0; i < ringSize; i++) {
            slots.add(base + i);
            ids.add(ring[i]);
        }
        maps.ring.putAll(slots, ids);
        maps.vip2tnl.put(key, new VipMeta(vipId, v.flagMask(), v.encap().number(), slot));

        if (current == null) {
            maps.vipStats.clear(vipId);
            IpAddr addr = new IpAddr(v.vip().address());
            maps.vipAddrs.put(addr, maps.vipAddrs.get(addr).orElse(0) + 1);
        } else if (was != null) {
            // flows to reals that left this VIP must re-hash; drained reals (weight 0) keep theirs
            Set<Integer> gone = new HashSet<>();
            for (Real r : was.reals()) if (v.real(r.address()).isEmpty()) gone.add(realIds.get(r.address()));
            if (!gone.isEmpty()) purgeFlows(vipId, gone);
        }
    }

    private int allocateVipId() {
        Set<Integer> used = new HashSet<>();
        maps.vip2tnl.entries().values().forEach(m -> used.add(m.vipId()));
        int max = maps.vipStats.size();
        for (int id = 0; id < max; id++) if (!used.contains(id)) return id;
        throw new UserError("no free VIP id: the balancer holds at most " + max + " VIPs (--max-vips)");
    }

    private void deleteVip(VipConfig v) {
        VipKey key = key(v.vip());
        VipMeta meta = maps.vip2tnl.get(key).orElse(null);
        if (meta == null) return;
        maps.vip2tnl.remove(key);
        IpAddr addr = new IpAddr(v.vip().address());
        int n = maps.vipAddrs.get(addr).orElse(1) - 1;
        if (n <= 0) maps.vipAddrs.remove(addr);
        else maps.vipAddrs.put(addr, n);
        purgeFlows(meta.vipId(), null);
    }

    /** Removes the VIP's connection-table entries (to the given reals only, unless null). */
    private void purgeFlows(int vipId, Set<Integer> realIds) {
        maps.connTable.removeIf(s -> s.vipId() == vipId && (realIds == null || realIds.contains(s.realId())));
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
            int chunk = 4096;
            var keys = arena.allocate(4L * chunk, 4);
            var values = arena.allocate(4L * chunk, 4);
            for (int done = 0; done < ringSize; ) {
                int want = Math.min(chunk, ringSize - done);
                int got = maps.ring.raw().lookupArrayBatch(base + done, want, keys, values);
                if (got <= 0) break;
                for (int i = 0; i < got && done + i < ringSize; i++) {
                    out[done + i] = values.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, i);
                }
                done += got;
            }
        }
        return out;
    }
}
