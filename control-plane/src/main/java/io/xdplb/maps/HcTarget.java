package io.xdplb.maps;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;

import static io.xdplb.maps.Layouts.U32;
import static io.xdplb.maps.Layouts.U8;
import static io.xdplb.maps.Layouts.offset;

/** struct hc_target: value of hc_targets, the real and encapsulation a probe's mark stands for. */
public record HcTarget(InetAddress real, int encap, int flags) {
    public static final Codec<HcTarget> CODEC = new Codec<>() {
        private final MemoryLayout layout = MemoryLayout.structLayout(IpAddr.CODEC.layout().withName("real"),
                U8.withName("encap"), Layouts.bytes("pad", 3), U32.withName("flags"));

        public String cStruct() { return "hc_target"; }
        public MemoryLayout layout() { return layout; }

        public void encode(HcTarget v, MemorySegment s) {
            s.fill((byte) 0);
            IpAddr.CODEC.encode(new IpAddr(v.real), s.asSlice(offset(layout, "real"), IpAddr.CODEC.layout().byteSize()));
            s.set(U8, offset(layout, "encap"), (byte) v.encap);
            s.set(U32, offset(layout, "flags"), v.flags);
        }

        public HcTarget decode(MemorySegment s) {
            IpAddr a = IpAddr.CODEC.decode(s.asSlice(offset(layout, "real"), IpAddr.CODEC.layout().byteSize()));
            return new HcTarget(a.address(), Byte.toUnsignedInt(s.get(U8, offset(layout, "encap"))),
                    s.get(U32, offset(layout, "flags")));
        }
    };
}
