package io.xdplb.libbpf;

import io.xdplb.libbpf.gen.Libbpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * A BPF map, by file descriptor: one of a loaded object's maps, or a pinned map
 * opened with bpf_obj_get. Keys and values are raw segments here; the typed
 * layer ({@code io.xdplb.maps}) encodes and decodes them.
 */
public final class BpfMap implements AutoCloseable {
    private final int fd;
    private final boolean ownsFd;
    private final String name;
    private final int type;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final int id;

    private BpfMap(int fd, boolean ownsFd) {
        this.fd = fd;
        this.ownsFd = ownsFd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = ObjInfo.of(fd, ObjInfo.MAP_SIZE, arena, "map");
            this.name = ObjInfo.name(info, ObjInfo.MAP_NAME);
            this.type = ObjInfo.u32(info, ObjInfo.MAP_TYPE);
            this.keySize = ObjInfo.u32(info, ObjInfo.MAP_KEY_SIZE);
            this.valueSize = ObjInfo.u32(info, ObjInfo.MAP_VALUE_SIZE);
            this.maxEntries = ObjInfo.u32(info, ObjInfo.MAP_MAX_ENTRIES);
            this.id = ObjInfo.u32(info, ObjInfo.MAP_ID);
        }
    }

    /** A map of a loaded object; the object owns the descriptor. */
    static BpfMap ofObject(int fd) {
        return new BpfMap(fd, false);
    }

    /** Opens the map pinned at path. */
    public static BpfMap pinned(Path path) {
        return new BpfMap(Pins.objGet(path, "map"), true);
    }

    /** Opens the map with this kernel id (e.g. an inner map, as an array of maps returns it). */
    public static BpfMap byId(int id) {
        int fd = Libbpf.bpf_map_get_fd_by_id(id);
        NativeException.check("bpf_map_get_fd_by_id(" + id + ")", fd);
        return new BpfMap(fd, true);
    }

    public String name() { return name; }
    public int type() { return type; }
    public int keySize() { return keySize; }
    public int id() { return id; }
    public int maxEntries() { return maxEntries; }
    public int fd() { return fd; }

    /** A plain (not per-CPU) array: its entries can be read in batches by index. */
    public boolean isArray() {
        return type == Libbpf.BPF_MAP_TYPE_ARRAY();
    }

    public boolean isPerCpu() {
        return type == Libbpf.BPF_MAP_TYPE_PERCPU_ARRAY() || type == Libbpf.BPF_MAP_TYPE_PERCPU_HASH()
                || type == Libbpf.BPF_MAP_TYPE_LRU_PERCPU_HASH();
    }

    /** Size of one value as the kernel stores it (per CPU for per-CPU maps). */
    public int valueSize() { return valueSize; }

    /** Size of the buffer a lookup fills: for per-CPU maps, one 8-byte-aligned slot per possible CPU. */
    public long lookupSize() {
        return isPerCpu() ? (long) ((valueSize + 7) & ~7) * LibbpfRuntime.possibleCpus() : valueSize;
    }

    /** Looks key up into value; false when there is no such key. */
    public boolean lookup(MemorySegment key, MemorySegment value) {
        int rc = Libbpf.bpf_map_lookup_elem(fd, key, value);
        if (rc == -2) return false; // ENOENT
        NativeException.check("bpf_map_lookup_elem(" + name + ")", rc);
        return true;
    }

    public void update(MemorySegment key, MemorySegment value, long flags) {
        NativeException.check("bpf_map_update_elem(" + name + ")", Libbpf.bpf_map_update_elem(fd, key, value, flags));
    }

    /** Deletes key; false when it was not there. */
    public boolean delete(MemorySegment key) {
        int rc = Libbpf.bpf_map_delete_elem(fd, key);
        if (rc == -2) return false;
        NativeException.check("bpf_map_delete_elem(" + name + ")", rc);
        return true;
    }

    /** Writes the key after key (or the first key when key is NULL) into next; false at the end. */
    public boolean nextKey(MemorySegment key, MemorySegment next) {
        int rc = Libbpf.bpf_map_get_next_key(fd, key, next);
        if (rc == -2) return false;
        NativeException.check("bpf_map_get_next_key(" + name + ")", rc);
        return true;
    }

    /**
     * Writes count entries at once (bpf_map_update_batch): keys and values are packed arrays.
     * Much cheaper than one syscall per entry when a whole Maglev ring is written.
     */
    public void updateBatch(MemorySegment keys, MemorySegment values, int count, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocateFrom(ValueLayout.JAVA_INT, count);
            MemorySegment opts = arena.allocate(io.xdplb.libbpf.gen.bpf_map_batch_opts.layout());
            io.xdplb.libbpf.gen.bpf_map_batch_opts.sz(opts, opts.byteSize());
            io.xdplb.libbpf.gen.bpf_map_batch_opts.elem_flags(opts, flags);
            NativeException.check("bpf_map_update_batch(" + name + ", " + count + ")",
                    Libbpf.bpf_map_update_batch(fd, keys, values, n, opts));
        }
    }

    /**
     * Reads up to count consecutive entries of an array map starting at index start
     * (bpf_map_lookup_batch) into keys/values; returns how many were read.
     */
    public int lookupArrayBatch(int start, int count, MemorySegment keys, MemorySegment values) {
        try (Arena arena = Arena.ofConfined()) {
            // the batch token is the key before the first one wanted; none means "from index 0"
            MemorySegment in = start == 0 ? MemorySegment.NULL : arena.allocateFrom(ValueLayout.JAVA_INT, start - 1);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment n = arena.allocateFrom(ValueLayout.JAVA_INT, count);
            int rc = Libbpf.bpf_map_lookup_batch(fd, in, out, keys, values, n, MemorySegment.NULL);
            if (rc < 0 && rc != -2) NativeException.check("bpf_map_lookup_batch(" + name + ")", rc);
            return n.get(ValueLayout.JAVA_INT, 0);
        }
    }

    public void pin(Path path) {
        Pins.objPin(fd, path);
    }

    @Override
    public void close() {
        if (ownsFd) Libc.close(fd);
    }
}
