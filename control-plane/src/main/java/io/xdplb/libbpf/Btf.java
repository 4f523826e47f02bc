package io.xdplb.libbpf;

import io.xdplb.libbpf.gen.Libbpf;
import io.xdplb.libbpf.gen.btf_member;
import io.xdplb.libbpf.gen.btf_type;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Read-only look-ups in an object's BTF: struct sizes and member offsets (to check the
 * Java layouts against what the compiler produced) and where a global variable lives in a
 * data section. (Enum values, to name counters, are read without libbpf: {@link BtfEnums}.)
 */
public final class Btf {
    private static final int KIND_VAR = 14;
    private static final int KIND_DATASEC = 15;
    private static final long TYPE_SIZE = 12; // sizeof(struct btf_type)

    private final MemorySegment btf;

    Btf(MemorySegment btf) {
        this.btf = btf;
    }

    /** The BTF type id of the named struct, enum, ..., or -1. */
    private int find(String name, int kind) {
        try (Arena arena = Arena.ofConfined()) {
            int id = Libbpf.btf__find_by_name_kind(btf, arena.allocateFrom(name), kind);
            return id < 0 ? -1 : id;
        }
    }

    private MemorySegment type(int id) {
        return Libbpf.btf__type_by_id(btf, id).reinterpret(TYPE_SIZE + 12L * 0xffff);
    }

    private String name(int nameOff) {
        return Libbpf.btf__name_by_offset(btf, nameOff).reinterpret(512).getString(0);
    }

    private static int vlen(MemorySegment t) {
        return btf_type.info(t) & 0xffff;
    }

    private static boolean kindFlag(MemorySegment t) {
        return (btf_type.info(t) >>> 31) != 0;
    }

    /** Size in bytes of struct name, or -1 when the BTF has no such struct. */
    public long structSize(String name) {
        int id = find(name, Libbpf.BTF_KIND_STRUCT());
        return id < 0 ? -1 : btf_type.size(type(id));
    }

    /** Member name → byte offset of struct name (empty when there is no such struct). */
    public Map<String, Long> memberOffsets(String name) {
        Map<String, Long> out = new LinkedHashMap<>();
        int id = find(name, Libbpf.BTF_KIND_STRUCT());
        if (id < 0) return out;
        MemorySegment t = type(id);
        boolean bitfieldEncoding = kindFlag(t);
        for (int i = 0; i < vlen(t); i++) {
            MemorySegment m = t.asSlice(TYPE_SIZE + 12L * i, 12);
            int bits = btf_member.offset(m);
            if (bitfieldEncoding) bits &= 0xffffff;
            out.put(name(btf_member.name_off(m)), (long) bits / 8);
        }
        return out;
    }

    /** Byte offset of global variable var inside data section (e.g. ".rodata"), or -1. */
    public long variableOffset(String section, String var) {
        int id = find(section, KIND_DATASEC);
        if (id < 0) return -1;
        MemorySegment t = type(id);
        for (int i = 0; i < vlen(t); i++) {
            MemorySegment s = t.asSlice(TYPE_SIZE + 12L * i, 12); // struct btf_var_secinfo {type, offset, size}
            int varType = s.get(java.lang.foreign.ValueLayout.JAVA_INT, 0);
            MemorySegment v = type(varType);
            if (((btf_type.info(v) >>> 24) & 0x1f) == KIND_VAR && name(btf_type.name_off(v)).equals(var)) {
                return Integer.toUnsignedLong(s.get(java.lang.foreign.ValueLayout.JAVA_INT, 4));
            }
        }
        return -1;
    }
}
