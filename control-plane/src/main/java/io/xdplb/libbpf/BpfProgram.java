package io.xdplb.libbpf;

import io.xdplb.libbpf.gen.Libbpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/** A loaded BPF program, by file descriptor: from a loaded object, from a pin, or by id. */
public final class BpfProgram implements AutoCloseable {
    private final int fd;
    private final boolean ownsFd;
    private final String name;
    private final int id;

    private BpfProgram(int fd, boolean ownsFd) {
        this.fd = fd;
        this.ownsFd = ownsFd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = ObjInfo.of(fd, ObjInfo.PROG_SIZE, arena, "prog");
            this.name = ObjInfo.name(info, ObjInfo.PROG_NAME);
            this.id = ObjInfo.u32(info, ObjInfo.PROG_ID);
        }
    }

    static BpfProgram ofObject(int fd) {
        return new BpfProgram(fd, false);
    }

    public static BpfProgram pinned(Path path) {
        return new BpfProgram(Pins.objGet(path, "program"), true);
    }

    /** The program with this id, or null when it no longer exists. */
    public static BpfProgram byId(int id) {
        int fd = Libbpf.bpf_prog_get_fd_by_id(id);
        if (fd == -2) return null;
        NativeException.check("bpf_prog_get_fd_by_id(" + id + ")", fd);
        return new BpfProgram(fd, true);
    }

    public int fd() { return fd; }
    public String name() { return name; }
    public int id() { return id; }

    public void pin(Path path) {
        Pins.objPin(fd, path);
    }

    @Override
    public void close() {
        if (ownsFd) Libc.close(fd);
    }
}
