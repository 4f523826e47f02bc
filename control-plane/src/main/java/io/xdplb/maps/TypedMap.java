package io.xdplb.maps;

import io.xdplb.libbpf.BpfMap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A BPF map with typed keys and values (hash and array maps; per-CPU ones: {@link PerCpuArray}). */
public final class TypedMap<K, V> {
    /** bpf_map_update_elem flags. */
    public static final long ANY = 0, NOEXIST = 1, EXIST = 2;

    private final BpfMap map;
    private final Codec<K> keys;
    private final Codec<V> values;

    public TypedMap(BpfMap map, Codec<K> keys, Codec<V> values) {
        if (map.keySize() != keys.size() || map.valueSize() != values.size()) {
            throw new IllegalStateException("map " + map.name() + " has key/value sizes " + map.keySize() + "/"
                    + map.valueSize() + " but the control plane expects " + keys.size() + "/" + values.size()
                    + ": the BPF object and the jar disagree (rebuild both with `make build`)");
        }
        this.map = map;
        this.keys = keys;
        this.values = values;
    }

    public BpfMap raw() {
        return map;
    }

    public Optional<V> get(K key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(keys.layout());
            keys.encode(key, k);
            MemorySegment v = arena.allocate(values.layout());
            return map.lookup(k, v) ? Optional.of(values.decode(v)) : Optional.empty();
        }
    }

    public void put(K key, V value) {
        put(key, value, ANY);
    }

    public void put(K key, V value, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(keys.layout());
            keys.encode(key, k);
            MemorySegment v = arena.allocate(values.layout());
            values.encode(value, v);
            map.update(k, v, flags);
        }
    }

    /** Writes all entries with one bpf_map_update_batch call. */
    public void putAll(java.util.List<K> keyList, java.util.List<V> valueList) {
        if (keyList.isEmpty()) return;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(keys.size() * keyList.size(), 8);
            MemorySegment v = arena.allocate(values.size() * valueList.size(), 8);
            for (int i = 0; i < keyList.size(); i++) {
                keys.encode(keyList.get(i), k.asSlice(i * keys.size(), keys.size()));
                values.encode(valueList.get(i), v.asSlice(i * values.size(), values.size()));
            }
            map.updateBatch(k, v, keyList.size(), ANY);
        }
    }

    public boolean remove(K key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(keys.layout());
            keys.encode(key, k);
            return map.delete(k);
        }
    }

    /** Every entry, in the kernel's iteration order; at most limit entries (limit < 0: all). */
    public Map<K, V> entries(int limit) {
        if (map.isArray()) return arrayEntries(limit);
        Map<K, V> out = new LinkedHashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cur = arena.allocate(keys.layout());
            MemorySegment next = arena.allocate(keys.layout());
            MemorySegment v = arena.allocate(values.layout());
            MemorySegment prev = MemorySegment.NULL;
            while ((limit < 0 || out.size() < limit) && map.nextKey(prev, next)) {
                MemorySegment.copy(next, 0, cur, 0, next.byteSize());
                if (map.lookup(cur, v)) out.put(keys.decode(cur), values.decode(v));
                prev = cur;
            }
        }
        return out;
    }

    public Map<K, V> entries() {
        return entries(-1);
    }

    /** Batches per lookup: an array map's entries in a few system calls, not two per entry. */
    private static final int BATCH = 1024;

    /** An array map's entries, index order (the order get_next_key gives), read in batches. */
    private Map<K, V> arrayEntries(int limit) {
        int total = limit < 0 ? map.maxEntries() : Math.min(limit, map.maxEntries());
        Map<K, V> out = new LinkedHashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate((long) keys.size() * BATCH, 8);
            MemorySegment v = arena.allocate((long) values.size() * BATCH, 8);
            while (out.size() < total) {
                int got = map.lookupArrayBatch(out.size(), Math.min(BATCH, total - out.size()), k, v);
                if (got <= 0) break;
                for (int i = 0; i < got && out.size() < total; i++) {
                    out.put(keys.decode(k.asSlice((long) i * keys.size(), keys.size())),
                            values.decode(v.asSlice((long) i * values.size(), values.size())));
                }
            }
        }
        return out;
    }
}
