package io.xdplb.maps;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/** A __u32 key or value (array indices, real ids in the ring, VIP counts). */
public final class U32 {
    private U32() {}

    public static final Codec<Integer> CODEC = new Codec<>() {
        public String cStruct() { return null; }
        public MemoryLayout layout() { return Layouts.U32; }
        public void encode(Integer v, MemorySegment s) { s.set(Layouts.U32, 0, v); }
        public Integer decode(MemorySegment s) { return s.get(Layouts.U32, 0); }
    };
}
