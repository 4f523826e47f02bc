package io.xdplb.maps;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

import static io.xdplb.maps.Layouts.U64;
import static io.xdplb.maps.Layouts.offset;

/** struct counter: one slot of vip_stats, real_stats, lb_stats and decap_stats (per CPU). */
public record Counter(long packets, long bytes) {
    public static final Counter ZERO = new Counter(0, 0);

    public Counter plus(Counter o) {
        return new Counter(packets + o.packets, bytes + o.bytes);
    }

    public static final Codec<Counter> CODEC = new Codec<>() {
        private final MemoryLayout layout = MemoryLayout.structLayout(U64.withName("packets"), U64.withName("bytes"));

        public String cStruct() { return "counter"; }
        public MemoryLayout layout() { return layout; }

        public void encode(Counter v, MemorySegment s) {
            s.set(U64, offset(layout, "packets"), v.packets);
            s.set(U64, offset(layout, "bytes"), v.bytes);
        }

        public Counter decode(MemorySegment s) {
            return new Counter(s.get(U64, offset(layout, "packets")), s.get(U64, offset(layout, "bytes")));
        }
    };
}
