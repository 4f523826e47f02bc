package io.xdplb.libbpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values of an enum in the BTF of a BPF object file (its .BTF section), read in plain Java.
 * {@code stats} names its counters this way: opening the object through libbpf for a few names
 * would cost a one-shot command more than the rest of its work (the ELF parse, and each libbpf
 * call's first link through FFM). The raw section suffices for enums: libbpf's fix-ups at open
 * touch only data sections' sizes and variables' offsets, which is why {@link Btf} (struct layouts,
 * .rodata variables) still reads the BTF of an opened object. Every offset and length is taken
 * from the file and checked.
 */
public final class BtfEnums {
    private BtfEnums() {}

    private static final int BTF_MAGIC = 0xeB9F;
    private static final int KIND_ENUM = 6;
    private static final int TYPE_SIZE = 12; // struct btf_type: name_off, info, size/type

    /** Enumerator name → value of the first enum called enumName in elf's BTF; empty when there is none. */
    public static Map<String, Integer> of(byte[] elf, String enumName) {
        ByteBuffer btf = btfSection(elf);
        if (btf.remaining() < 24) throw bad("header cut short");
        if ((btf.getShort(0) & 0xffff) != BTF_MAGIC) {
            btf.order(btf.order() == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            if ((btf.getShort(0) & 0xffff) != BTF_MAGIC) throw bad("no BTF magic");
        }
        long hdrLen = u32(btf, 4);
        ByteBuffer types = slice(btf, hdrLen + u32(btf, 8), u32(btf, 12), "types");
        ByteBuffer strings = slice(btf, hdrLen + u32(btf, 16), u32(btf, 20), "strings");
        int at = 0;
        while (at < types.limit()) {
            if (types.limit() - at < TYPE_SIZE) throw bad("type cut short");
            int info = types.getInt(at + 4);
            int kind = (info >>> 24) & 0x1f, vlen = info & 0xffff;
            int size = TYPE_SIZE + trailing(kind, vlen);
            if (types.limit() - at < size) throw bad("type cut short");
            if (kind == KIND_ENUM && name(strings, types.getInt(at)).equals(enumName)) {
                Map<String, Integer> out = new LinkedHashMap<>();
                for (int i = 0; i < vlen; i++) {
                    int e = at + TYPE_SIZE + 8 * i; // struct btf_enum: name_off, val
                    out.put(name(strings, types.getInt(e)), types.getInt(e + 4));
                }
                return out;
            }
            at += size;
        }
        return Map.of();
    }

    /** Bytes that follow a btf_type of this kind (linux/btf.h). */
    private static int trailing(int kind, int vlen) {
        return switch (kind) {
            case 2, 7, 8, 9, 10, 11, 12, 16, 18 -> 0; // PTR FWD TYPEDEF VOLATILE CONST RESTRICT FUNC FLOAT TYPE_TAG
            case 1, 14, 17 -> 4;                       // INT VAR DECL_TAG
            case 3 -> 12;                              // ARRAY
            case 4, 5, 15, 19 -> 12 * vlen;            // STRUCT UNION DATASEC ENUM64
            case 6, 13 -> 8 * vlen;                    // ENUM FUNC_PROTO
            default -> throw bad("unknown type kind " + kind);
        };
    }

    /** The .BTF section of a 64-bit ELF file. */
    private static ByteBuffer btfSection(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf);
        if (elf.length < 64 || b.getInt(0) != 0x7f454c46) throw bad("not an ELF file");
        if (elf[4] != 2) throw bad("not a 64-bit ELF file");
        b.order(elf[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int shentsize = b.getShort(0x3a) & 0xffff, shnum = b.getShort(0x3c) & 0xffff, shstrndx = b.getShort(0x3e) & 0xffff;
        if (shentsize < 64 || shstrndx >= shnum) throw bad("bad section headers");
        ByteBuffer headers = slice(b, shoff, (long) shentsize * shnum, "section headers");
        ByteBuffer names = section(b, headers, shstrndx * shentsize);
        for (int i = 0; i < shnum; i++) {
            if (name(names, headers.getInt(i * shentsize)).equals(".BTF")) return section(b, headers, i * shentsize);
        }
        throw bad("no .BTF section (built without -g?)");
    }

    private static ByteBuffer section(ByteBuffer elf, ByteBuffer headers, int header) {
        return slice(elf, headers.getLong(header + 24), headers.getLong(header + 32), "section");
    }

    /** length bytes at offset of b, in b's byte order; refused when they are not all inside b. */
    private static ByteBuffer slice(ByteBuffer b, long offset, long length, String what) {
        if (offset < 0 || length < 0 || offset > b.limit() || length > b.limit() - offset) throw bad(what + " out of bounds");
        return b.slice((int) offset, (int) length).order(b.order());
    }

    private static long u32(ByteBuffer b, int at) {
        return Integer.toUnsignedLong(b.getInt(at));
    }

    /** The NUL-terminated string at offset of a string table. */
    private static String name(ByteBuffer strings, int offset) {
        if (offset < 0 || offset >= strings.limit()) throw bad("name out of bounds");
        int end = offset;
        while (end < strings.limit() && strings.get(end) != 0) end++;
        byte[] s = new byte[end - offset];
        strings.get(offset, s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static IllegalArgumentException bad(String why) {
        return new IllegalArgumentException("bad BTF in BPF object: " + why);
    }
}
