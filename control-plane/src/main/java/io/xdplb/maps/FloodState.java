package io.xdplb.maps;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

import static io.xdplb.maps.Layouts.U32;
import static io.xdplb.maps.Layouts.U64;
import static io.xdplb.maps.Layouts.offset;

/**
 * struct flood_state: one CPU's new-flow count in the current one-second window (flood_state, per
 * CPU); flooded: the previous window ended over the threshold.
 */
public record FloodState(long windowStartNs, int newFlows, boolean flooded) {
    public static final Codec<FloodState> CODEC = new Codec<>() {
        private final MemoryLayout layout = MemoryLayout.structLayout(U64.withName("window_start_ns"),
                U32.withName("new_flows"), U32.withName("flooded"));

        public String cStruct() { return "flood_state"; }
        public MemoryLayout layout() { return layout; }

        public void encode(FloodState v, MemorySegment s) {
            s.set(U64, offset(layout, "window_start_ns"), v.windowStartNs);
            s.set(U32, offset(layout, "new_flows"), v.newFlows);
            s.set(U32, offset(layout, "flooded"), v.flooded ? 1 : 0);
        }

        public FloodState decode(MemorySegment s) {
            return new FloodState(s.get(U64, offset(layout, "window_start_ns")), s.get(U32, offset(layout, "new_flows")),
                    s.get(U32, offset(layout, "flooded")) != 0);
        }
    };
}
