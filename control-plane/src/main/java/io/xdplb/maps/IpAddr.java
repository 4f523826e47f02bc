package io.xdplb.maps;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;

import static io.xdplb.maps.Layouts.U8;
import static io.xdplb.maps.Layouts.offset;

/** struct ip_addr: a real's address (reals), a VIP address (vip_addrs), a tunnel address (decap_addrs). */
public record IpAddr(InetAddress address) {
    public static final Codec<IpAddr> CODEC = new Codec<>() {
        private final MemoryLayout layout = MemoryLayout.structLayout(
                Layouts.addr("addr"), U8.withName("family"), Layouts.bytes("pad", 3));

        public String cStruct() { return "ip_addr"; }
        public MemoryLayout layout() { return layout; }

        public void encode(IpAddr v, MemorySegment s) {
            s.fill((byte) 0);
            Addresses.write(v.address, s, offset(layout, "addr"));
            s.set(U8, offset(layout, "family"), (byte) (v.address == null ? 0 : Addresses.family(v.address)));
        }

        public IpAddr decode(MemorySegment s) {
            return new IpAddr(Addresses.read(s, offset(layout, "addr"), s.get(U8, offset(layout, "family"))));
        }
    };
}
