package io.xdplb.maps;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

import static io.xdplb.maps.Layouts.U32;
import static io.xdplb.maps.Layouts.U64;
import static io.xdplb.maps.Layouts.offset;

/** struct flow_state: value of conn_table. */
public record FlowState(int realId, int vipId, long lastSeenNs) {
    public static final Codec<FlowState> CODEC = new Codec<>() {
        private final MemoryLayout layout = MemoryLayout.structLayout(U32.withName("real_id"), U32.withName("vip_id"),
                U64.withName("last_seen_ns"));

        public String cStruct() { return "flow_state"; }
        public MemoryLayout layout() { return layout; }

        public void encode(FlowState v, MemorySegment s) {
            s.set(U32, offset(layout, "real_id"), v.realId);
            s.set(U32, offset(layout, "vip_id"), v.vipId);
            s.set(U64, offset(layout, "last_seen_ns"), v.lastSeenNs);
        }

        public FlowState decode(MemorySegment s) {
            return new FlowState(s.get(U32, offset(layout, "real_id")), s.get(U32, offset(layout, "vip_id")),
                    s.get(U64, offset(layout, "last_seen_ns")));
        }
    };
}
