package io.xdplb.libbpf;

import io.xdplb.libbpf.gen.Libbpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The fields of the kernel's struct bpf_prog_info and struct bpf_map_info that the control plane
 * reads, by byte offset (linux/bpf.h; the kernel only ever appends to them). The generated
 * bpf_prog_info and bpf_map_info describe the same structs, but initialising those classes makes
 * a VarHandle for each array field, which costs every one-shot command start-up time.
 * ObjInfoTest checks these numbers against the generated layouts.
 */
final class ObjInfo {
    private ObjInfo() {}

    static final int PROG_SIZE = 232, PROG_ID = 4, PROG_NAME = 64;
    static final int MAP_SIZE = 88, MAP_TYPE = 0, MAP_ID = 4, MAP_KEY_SIZE = 8, MAP_VALUE_SIZE = 12,
            MAP_MAX_ENTRIES = 16, MAP_NAME = 24;
    /** Length of the name fields (BPF_OBJ_NAME_LEN), NUL included. */
    static final int NAME_LEN = 16;

    /** bpf_obj_get_info_by_fd into a zeroed buffer of size bytes; what names the call in errors. */
    static MemorySegment of(int fd, int size, Arena arena, String what) {
        MemorySegment info = arena.allocate(size, 8);
        MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, size);
        NativeException.check("bpf_obj_get_info_by_fd(" + what + ")", Libbpf.bpf_obj_get_info_by_fd(fd, info, len));
        return info;
    }

    static int u32(MemorySegment info, int offset) {
        return info.get(ValueLayout.JAVA_INT, offset);
    }

    static String name(MemorySegment info, int offset) {
        return info.asSlice(offset, NAME_LEN).getString(0);
    }
}
