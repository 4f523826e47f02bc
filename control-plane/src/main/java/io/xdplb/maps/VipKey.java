package io.xdplb.maps;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;

import static io.xdplb.maps.Layouts.BE16;
import static io.xdplb.maps.Layouts.U8;
import static io.xdplb.maps.Layouts.offset;

/** struct vip_key: key of vip2tnl. port 0 = every port of the address. */
public record VipKey(InetAddress address, int port, int proto) {
    public static final Codec<VipKey> CODEC = new Codec<>() {
        private final MemoryLayout layout = MemoryLayout.structLayout(
                Layouts.addr("addr"), BE16.withName("port"), U8.withName("proto"), U8.withName("family"));

        public String cStruct() { return "vip_key"; }
        public MemoryLayout layout() { return layout; }

        public void encode(VipKey v, MemorySegment s) {
            Addresses.write(v.address, s, offset(layout, "addr"));
            s.set(BE16, offset(layout, "port"), (short) v.port);
            s.set(U8, offset(layout, "proto"), (byte) v.proto);
            s.set(U8, offset(layout, "family"), (byte) Addresses.family(v.address));
        }

        public VipKey decode(MemorySegment s) {
            int family = s.get(U8, offset(layout, "family"));
            return new VipKey(Addresses.read(s, offset(layout, "addr"), family),
                    Short.toUnsignedInt(s.get(BE16, offset(layout, "port"))),
                    Byte.toUnsignedInt(s.get(U8, offset(layout, "proto"))));
        }
    };
}
