package io.xdplb.maps;

import io.xdplb.libbpf.BpfMap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** A per-CPU array of any ABI struct: one value per possible CPU for each index. */
public final class PerCpuValues<V> {
    private final BpfMap map;
    private final Codec<V> codec;
    private final long stride;

    public PerCpuValues(BpfMap map, Codec<V> codec) {
        if (!map.isPerCpu() || map.valueSize() != codec.size()) {
            throw new IllegalStateException("map " + map.name() + " is not a per-CPU array of struct " + codec.cStruct());
        }
        this.map = map;
        this.codec = codec;
        this.stride = (map.valueSize() + 7) & ~7;
    }

    public BpfMap raw() {
        return map;
    }

    /** The value of index on each possible CPU, CPU 0 first. */
    public List<V> perCpu(int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_INT, index);
            MemorySegment v = arena.allocate(map.lookupSize(), 8);
            List<V> out = new ArrayList<>();
            if (!map.lookup(k, v)) return out;
            for (long off = 0; off < v.byteSize(); off += stride) out.add(codec.decode(v.asSlice(off, codec.size())));
            return out;
        }
    }

    /** Sets index to value on every CPU. */
    public void putEverywhere(int index, V value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_INT, index);
            MemorySegment v = arena.allocate(map.lookupSize(), 8);
            for (long off = 0; off < v.byteSize(); off += stride) codec.encode(value, v.asSlice(off, codec.size()));
            map.update(k, v, TypedMap.ANY);
        }
    }
}
