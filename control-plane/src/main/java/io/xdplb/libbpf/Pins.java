package io.xdplb.libbpf;

import io.xdplb.libbpf.gen.Libbpf;

import java.lang.foreign.Arena;
import java.nio.file.Path;

/** bpf_obj_pin / bpf_obj_get with errors that name the path. */
public final class Pins {
    private Pins() {}

    /** Opens the object pinned at path; what ("map", "program", "link") is for the message. */
    public static int objGet(Path path, String what) {
        LibbpfRuntime.init(); // a missing libbpf is a one-line error, not a failed class initialisation
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libbpf.bpf_obj_get(arena.allocateFrom(path.toString()));
            if (fd < 0) throw new NativeException("bpf_obj_get(" + what + " " + path + ")", -fd);
            return fd;
        }
    }

    public static void objPin(int fd, Path path) {
        try (Arena arena = Arena.ofConfined()) {
            NativeException.check("bpf_obj_pin(" + path + ")", Libbpf.bpf_obj_pin(fd, arena.allocateFrom(path.toString())));
        }
    }
}
