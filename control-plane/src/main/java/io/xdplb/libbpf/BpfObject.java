package io.xdplb.libbpf;

import io.xdplb.UserError;
import io.xdplb.libbpf.gen.Libbpf;
import io.xdplb.libbpf.gen.bpf_object_open_opts;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * A BPF object opened from memory (the .bpf.o files are resources in the jar) and loaded
 * into the kernel. Closing it releases libbpf's object; pinned programs and maps stay.
 */
public final class BpfObject implements AutoCloseable {
    /** Linked on first use, after LibbpfRuntime.init() has made sure libbpf is there. */
    private static final class Downcalls {
        static final MethodHandle OPEN_MEM = Libc.withErrno(
                Libbpf.bpf_object__open_mem$address(), Libbpf.bpf_object__open_mem$descriptor());
    }

    private final Arena arena = Arena.ofShared();
    private final String name;
    private final MemorySegment obj;
    private boolean loaded;

    private BpfObject(String name, byte[] elf) {
        LibbpfRuntime.init();
        this.name = name;
        MemorySegment buf = arena.allocate(elf.length, 8);
        MemorySegment.copy(elf, 0, buf, ValueLayout.JAVA_BYTE, 0, elf.length);
        MemorySegment opts = arena.allocate(bpf_object_open_opts.layout());
        bpf_object_open_opts.sz(opts, opts.byteSize());
        bpf_object_open_opts.object_name(opts, arena.allocateFrom(name));
        MemorySegment state = Libc.callState(arena);
        LibbpfRuntime.startCapture();
        MemorySegment o;
        try {
            o = (MemorySegment) Downcalls.OPEN_MEM.invokeExact(state, buf, (long) elf.length, opts);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (o.address() == 0) {
            int errno = Libc.errno(state); // state lives in the arena: read it before closing that
            arena.close();
            throw new NativeException("bpf_object__open_mem(" + name + ")", errno,
                    LibbpfRuntime.capturedLog().strip().replace('\n', ' '));
        }
        this.obj = o;
    }

    /** Opens the object compiled from bpf/NAME.bpf.c, embedded in the jar as /bpf/NAME.bpf.o. */
    public static BpfObject fromResource(String name) {
        return new BpfObject(name, resource(name));
    }

    /** The ELF bytes of the object the jar holds under this name (e.g. "xdplb"). */
    public static byte[] resource(String name) {
        String path = "/bpf/" + name + ".bpf.o";
        try (InputStream in = BpfObject.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new UserError("BPF object " + path + " is not in the jar: rebuild with `make build`");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UserError("cannot read BPF object " + path + " from the jar: " + e.getMessage());
        }
    }

    public static BpfObject fromBytes(String name, byte[] elf) {
        return new BpfObject(name, elf);
    }

    public String name() {
        return name;
    }

    private MemorySegment mapPtr(String map) {
        MemorySegment m = Libbpf.bpf_object__find_map_by_name(obj, arena.allocateFrom(map));
        if (m.address() == 0) throw new IllegalArgumentException("object " + name + " has no map " + map);
        return m;
    }

    /** Before load: the map's size (e.g. the connection table's entries). */
    public void setMaxEntries(String map, int entries) {
        NativeException.check("bpf_map__set_max_entries(" + map + ", " + entries + ")",
                Libbpf.bpf_map__set_max_entries(mapPtr(map), entries));
    }

    /** Before load: sets a {@code const volatile __u32} global in .rodata. */
    public void setRodataU32(String variable, int value) {
        long offset = btf().variableOffset(".rodata", variable);
        if (offset < 0) throw new IllegalArgumentException("object " + name + " has no .rodata variable " + variable);
        MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
        MemorySegment data = Libbpf.bpf_map__initial_value(mapPtr(".rodata"), size);
        if (data.address() == 0) throw new IllegalStateException("object " + name + " has no .rodata data");
        data.reinterpret(size.get(ValueLayout.JAVA_LONG, 0)).set(ValueLayout.JAVA_INT, offset, value);
    }

    /**
     * Before load: the object uses this existing map (e.g. a pinned one, by its descriptor)
     * instead of creating its own, so the program reads and writes the very same map.
     */
    public void reuseMap(String map, BpfMap existing) {
        NativeException.check("bpf_map__reuse_fd(" + map + ")", Libbpf.bpf_map__reuse_fd(mapPtr(map), existing.fd()));
    }

    /** Loads every program and creates every map; a refusal carries the verifier's log. */
    public void load() {
        LibbpfRuntime.startCapture();
        int rc = Libbpf.bpf_object__load(obj);
        if (rc < 0) {
            String log = LibbpfRuntime.capturedLog();
            String complaint = BpfLoadException.verifierComplaint(log);
            throw new BpfLoadException("the kernel refused to load " + name + ".bpf.o: " + Libc.strerror(-rc)
                    + (complaint.isEmpty() ? "" : "; verifier: " + complaint), log);
        }
        loaded = true;
    }

    public BpfProgram program(String prog) {
        requireLoaded();
        MemorySegment p = Libbpf.bpf_object__find_program_by_name(obj, arena.allocateFrom(prog));
        if (p.address() == 0) throw new IllegalArgumentException("object " + name + " has no program " + prog);
        return BpfProgram.ofObject(Libbpf.bpf_program__fd(p));
    }

    public BpfMap map(String map) {
        requireLoaded();
        return BpfMap.ofObject(Libbpf.bpf_map__fd(mapPtr(map)));
    }

    /** Names of the object's own maps (not the .rodata/.bss internals). */
    public List<String> mapNames() {
        List<String> names = new ArrayList<>();
        for (MemorySegment m = Libbpf.bpf_object__next_map(obj, MemorySegment.NULL); m.address() != 0;
             m = Libbpf.bpf_object__next_map(obj, m)) {
            String n = Libbpf.bpf_map__name(m).reinterpret(64).getString(0);
            if (!n.contains(".")) names.add(n);
        }
        return names;
    }

    public Btf btf() {
        MemorySegment b = Libbpf.bpf_object__btf(obj);
        if (b.address() == 0) throw new IllegalStateException("object " + name + " has no BTF (built without -g?)");
        return new Btf(b);
    }

    private void requireLoaded() {
        if (!loaded) throw new IllegalStateException("object " + name + " is not loaded yet");
    }

    @Override
    public void close() {
        Libbpf.bpf_object__close(obj);
        arena.close();
    }
}
