package io.xdplb.maps;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/**
 * Encodes a Java record as the bytes of one C struct of bpf/include/xdplb_abi.h and back.
 * The layout names its members exactly as the C struct does, so {@link AbiCheck} can
 * compare sizes and offsets with the object's BTF.
 */
public interface Codec<T> {
    /** The C struct's name (for the BTF check), or null for a scalar. */
    String cStruct();

    MemoryLayout layout();

    void encode(T value, MemorySegment into);

    T decode(MemorySegment from);

    default long size() {
        return layout().byteSize();
    }
}
