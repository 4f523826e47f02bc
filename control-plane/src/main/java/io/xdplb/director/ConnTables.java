package io.xdplb.director;

import io.xdplb.libbpf.BpfMap;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.maps.FlowKey;
import io.xdplb.maps.FlowState;
import io.xdplb.maps.TypedMap;
import io.xdplb.maps.U32;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The director's connection tables: one LRU hash per possible CPU, held by the {@code conn_table}
 * array of maps at the CPU's index (bpf/include/xdplb_abi.h). The one place that reads and writes
 * "the connection table": dump, drain, trace and the tests all go through here, and see every
 * CPU's table. A flow lives in the table of the CPU that received it; after a change of receive
 * queue it can be in two.
 */
public final class ConnTables implements AutoCloseable {
    /** The object holding one CPU's table (bpf/conn_table.bpf.c). */
    static final String OBJECT = "conn_table";
    static final String INNER_MAP = "conn_table_cpu";

    /** An entry of CPU {@code cpu}'s table. */
    public record Entry(int cpu, FlowKey key, FlowState state) {}

    private final TypedMap<Integer, Integer> outer;
    /** Each CPU's table (null for an empty slot), opened on first use: most commands never need them. */
    private List<TypedMap<FlowKey, FlowState>> tables;
    private final List<BpfMap> opened = new ArrayList<>();

    ConnTables(BpfMap outer) {
        this.outer = new TypedMap<>(outer, U32.CODEC, U32.CODEC);
    }

    private List<TypedMap<FlowKey, FlowState>> tables() {
        if (tables != null) return tables;
        List<TypedMap<FlowKey, FlowState>> all = new ArrayList<>();
        for (int cpu = 0; cpu < outer.raw().maxEntries(); cpu++) {
            Optional<Integer> id = outer.get(cpu);
            if (id.isEmpty()) {
                all.add(null);
                continue;
            }
            BpfMap m = BpfMap.byId(id.get());
            opened.add(m);
            all.add(new TypedMap<>(m, FlowKey.CODEC, FlowState.CODEC));
        }
        tables = all;
        return tables;
    }

    /**
     * After the balancer is loaded (its conn_table sized to the possible CPUs): creates each CPU's
     * table with {@code entriesPerCpu} entries and stores it in the array. Closing the object that
     * created a table leaves the table alive, held by the array (and so by the pinned array).
     */
    static void create(BpfMap outer, int entriesPerCpu) {
        TypedMap<Integer, Integer> slots = new TypedMap<>(outer, U32.CODEC, U32.CODEC);
        for (int cpu = 0; cpu < outer.maxEntries(); cpu++) {
            try (BpfObject obj = BpfObject.fromResource(OBJECT)) {
                obj.setMaxEntries(INNER_MAP, entriesPerCpu);
                obj.load();
                slots.put(cpu, obj.map(INNER_MAP).fd()); // an array of maps takes a descriptor, returns an id
            }
        }
    }

    /** How many CPU slots there are (the possible CPUs when the balancer was loaded). */
    public int cpus() {
        return tables().size();
    }

    /** Entries of each CPU's table (--conn-table-size is per CPU). */
    public int entriesPerCpu() {
        for (TypedMap<FlowKey, FlowState> t : tables()) if (t != null) return t.raw().maxEntries();
        return 0;
    }

    /** Every entry of every CPU's table, CPU by CPU; at most limit entries (limit < 0: all). */
    public List<Entry> entries(int limit) {
        List<Entry> out = new ArrayList<>();
        for (int cpu = 0; cpu < tables().size() && (limit < 0 || out.size() < limit); cpu++) {
            TypedMap<FlowKey, FlowState> t = tables().get(cpu);
            if (t == null) continue;
            int left = limit < 0 ? -1 : limit - out.size();
            for (var e : t.entries(left).entrySet()) out.add(new Entry(cpu, e.getKey(), e.getValue()));
        }
        return out;
    }

    public List<Entry> entries() {
        return entries(-1);
    }

    /** The flow's entry in the first CPU's table that has one. */
    public Optional<Entry> find(FlowKey key) {
        for (int cpu = 0; cpu < tables().size(); cpu++) {
            TypedMap<FlowKey, FlowState> t = tables().get(cpu);
            if (t == null) continue;
            Optional<FlowState> s = t.get(key);
            if (s.isPresent()) return Optional.of(new Entry(cpu, key, s.get()));
        }
        return Optional.empty();
    }

    /** Writes the entry into every CPU's table (whichever CPU the flow's packets reach, they find it). */
    public void putEverywhere(FlowKey key, FlowState state) {
        for (TypedMap<FlowKey, FlowState> t : tables()) if (t != null) t.put(key, state);
    }

    /** Writes the entry into this CPU's table only. */
    public void put(int cpu, FlowKey key, FlowState state) {
        TypedMap<FlowKey, FlowState> t = cpu < tables().size() ? tables().get(cpu) : null;
        if (t == null) throw new IllegalArgumentException("no connection table for CPU " + cpu);
        t.put(key, state);
    }

    /** Removes the flow from every CPU's table; false when no table had it. */
    public boolean remove(FlowKey key) {
        boolean any = false;
        for (TypedMap<FlowKey, FlowState> t : tables()) if (t != null && t.remove(key)) any = true;
        return any;
    }

    /** Empties every CPU's table. */
    public void clear() {
        for (Entry e : entries()) tables().get(e.cpu()).remove(e.key());
    }

    /** Removes the entries this predicate selects, from every CPU's table. */
    public void removeIf(java.util.function.Predicate<FlowState> which) {
        for (Entry e : entries()) if (which.test(e.state())) tables().get(e.cpu()).remove(e.key());
    }

    public BpfMap raw() {
        return outer.raw();
    }

    @Override
    public void close() {
        for (BpfMap m : opened) m.close();
    }
}
