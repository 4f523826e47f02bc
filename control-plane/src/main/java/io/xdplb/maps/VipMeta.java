package io.xdplb.maps;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

import static io.xdplb.maps.Layouts.U16;
import static io.xdplb.maps.Layouts.U32;
import static io.xdplb.maps.Layouts.U8;
import static io.xdplb.maps.Layouts.offset;

/** struct vip_meta: value of vip2tnl. ringSlot says which of the VIP's two rings is live. */
public record VipMeta(int vipId, int flags, int encap, int ringSlot) {
    public static final Codec<VipMeta> CODEC = new Codec<>() {
        private final MemoryLayout layout = MemoryLayout.structLayout(U32.withName("vip_id"), U32.withName("flags"),
                U8.withName("encap"), U8.withName("ring_slot"), U16.withName("pad"));

        public String cStruct() { return "vip_meta"; }
        public MemoryLayout layout() { return layout; }

        public void encode(VipMeta v, MemorySegment s) {
            s.set(U32, offset(layout, "vip_id"), v.vipId);
            s.set(U32, offset(layout, "flags"), v.flags);
            s.set(U8, offset(layout, "encap"), (byte) v.encap);
            s.set(U8, offset(layout, "ring_slot"), (byte) v.ringSlot);
            s.set(U16, offset(layout, "pad"), (short) 0);
        }

        public VipMeta decode(MemorySegment s) {
            return new VipMeta(s.get(U32, offset(layout, "vip_id")), s.get(U32, offset(layout, "flags")),
                    Byte.toUnsignedInt(s.get(U8, offset(layout, "encap"))),
                    Byte.toUnsignedInt(s.get(U8, offset(layout, "ring_slot"))));
        }
    };
}
