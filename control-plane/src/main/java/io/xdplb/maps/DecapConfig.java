package io.xdplb.maps;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

import static io.xdplb.maps.Layouts.BE16;
import static io.xdplb.maps.Layouts.U16;
import static io.xdplb.maps.Layouts.U32;
import static io.xdplb.maps.Layouts.offset;

/** struct decap_config: the real server's GUE port. */
public record DecapConfig(int guePort, int flags) {
    public static final Codec<DecapConfig> CODEC = new Codec<>() {
        private final MemoryLayout layout = MemoryLayout.structLayout(BE16.withName("gue_port"), U16.withName("pad"),
                U32.withName("flags"));

        public String cStruct() { return "decap_config"; }
        public MemoryLayout layout() { return layout; }

        public void encode(DecapConfig v, MemorySegment s) {
            s.fill((byte) 0);
            s.set(BE16, offset(layout, "gue_port"), (short) v.guePort);
            s.set(U32, offset(layout, "flags"), v.flags);
        }

        public DecapConfig decode(MemorySegment s) {
            return new DecapConfig(Short.toUnsignedInt(s.get(BE16, offset(layout, "gue_port"))),
                    s.get(U32, offset(layout, "flags")));
        }
    };
}
