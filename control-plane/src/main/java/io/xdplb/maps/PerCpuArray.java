package io.xdplb.maps;

import io.xdplb.libbpf.BpfMap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** A per-CPU array of counters: read one value per possible CPU, or their sum. */
public final class PerCpuArray {
    private final BpfMap map;

    public PerCpuArray(BpfMap map) {
        if (!map.isPerCpu() || map.valueSize() != Counter.CODEC.size()) {
            throw new IllegalStateException("map " + map.name() + " is not a per-CPU array of struct counter");
        }
        this.map = map;
    }

    public BpfMap raw() {
        return map;
    }

    public int size() {
        return map.maxEntries();
    }

    /** The counter of index on each possible CPU. */
    public List<Counter> perCpu(int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_INT, index);
            MemorySegment v = arena.allocate(map.lookupSize(), 8);
            List<Counter> out = new ArrayList<>();
            if (!map.lookup(k, v)) return out;
            long stride = (map.valueSize() + 7) & ~7;
            for (long off = 0; off < v.byteSize(); off += stride) out.add(Counter.CODEC.decode(v.asSlice(off, stride)));
            return out;
        }
    }

    public Counter sum(int index) {
        Counter total = Counter.ZERO;
        for (Counter c : perCpu(index)) total = total.plus(c);
        return total;
    }

    /** Sets index to zero on every CPU. */
    public void clear(int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_INT, index);
            map.update(k, arena.allocate(map.lookupSize(), 8), TypedMap.ANY);
        }
    }
}
