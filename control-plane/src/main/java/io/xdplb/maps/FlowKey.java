package io.xdplb.maps;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;

import static io.xdplb.maps.Layouts.BE16;
import static io.xdplb.maps.Layouts.U16;
import static io.xdplb.maps.Layouts.U8;
import static io.xdplb.maps.Layouts.offset;

/** struct flow_key: key of conn_table, the 5-tuple as the client sent it. */
public record FlowKey(InetAddress src, InetAddress dst, int sport, int dport, int proto) {
    public static final Codec<FlowKey> CODEC = new Codec<>() {
        private final MemoryLayout layout = MemoryLayout.structLayout(Layouts.addr("src"), Layouts.addr("dst"),
                BE16.withName("sport"), BE16.withName("dport"), U8.withName("proto"), U8.withName("family"),
                U16.withName("pad"));

        public String cStruct() { return "flow_key"; }
        public MemoryLayout layout() { return layout; }

        public void encode(FlowKey v, MemorySegment s) {
            s.fill((byte) 0);
            Addresses.write(v.src, s, offset(layout, "src"));
            Addresses.write(v.dst, s, offset(layout, "dst"));
            s.set(BE16, offset(layout, "sport"), (short) v.sport);
            s.set(BE16, offset(layout, "dport"), (short) v.dport);
            s.set(U8, offset(layout, "proto"), (byte) v.proto);
            s.set(U8, offset(layout, "family"), (byte) Addresses.family(v.src));
        }

        public FlowKey decode(MemorySegment s) {
            int family = s.get(U8, offset(layout, "family"));
            return new FlowKey(Addresses.read(s, offset(layout, "src"), family),
                    Addresses.read(s, offset(layout, "dst"), family),
                    Short.toUnsignedInt(s.get(BE16, offset(layout, "sport"))),
                    Short.toUnsignedInt(s.get(BE16, offset(layout, "dport"))),
                    Byte.toUnsignedInt(s.get(U8, offset(layout, "proto"))));
        }
    };
}
