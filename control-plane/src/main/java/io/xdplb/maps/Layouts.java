package io.xdplb.maps;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Building blocks of the ABI layouts: C scalar types, host and network byte order. */
final class Layouts {
    private Layouts() {}

    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    /** __be32 addr[4]: an address of either family. */
    static MemoryLayout addr(String name) {
        return MemoryLayout.sequenceLayout(16, U8).withName(name);
    }

    static MemoryLayout bytes(String name, int n) {
        return MemoryLayout.sequenceLayout(n, U8).withName(name);
    }

    static long offset(MemoryLayout struct, String member) {
        return struct.byteOffset(MemoryLayout.PathElement.groupElement(member));
    }
}
