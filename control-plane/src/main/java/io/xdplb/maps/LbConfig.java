package io.xdplb.maps;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import static io.xdplb.maps.Layouts.BE16;
import static io.xdplb.maps.Layouts.U16;
import static io.xdplb.maps.Layouts.U32;
import static io.xdplb.maps.Layouts.offset;

/**
 * struct lb_config: the director's interface settings. egressIfindex 0 = XDP_TX out of the
 * ingress interface; src4/src6 may be null (that family cannot be an outer header then);
 * floodThreshold: new flows per second per CPU above which none is inserted (0: no limit).
 */
public record LbConfig(int egressIfindex, byte[] srcMac, byte[] dstMac, Inet4Address src4, Inet6Address src6,
                       int guePort, int mtu, int floodThreshold) {
    /** Field by field, MACs by their bytes (a record compares arrays by reference). */
    @Override
    public boolean equals(Object o) {
        return o instanceof LbConfig c && differences(c).isEmpty();
    }

    @Override
    public int hashCode() {
        return Objects.hash(egressIfindex, Arrays.hashCode(srcMac), Arrays.hashCode(dstMac), src4, src6, guePort, mtu,
                floodThreshold);
    }

    /** What differs from other, one "field this -> other" each, in the struct's order; empty when equal. */
    public List<String> differences(LbConfig other) {
        List<String> out = new ArrayList<>();
        diff(out, "egress-ifindex", egressIfindex, other.egressIfindex);
        diff(out, "src-mac", Addresses.formatMac(srcMac), Addresses.formatMac(other.srcMac));
        diff(out, "gateway-mac", Addresses.formatMac(dstMac), Addresses.formatMac(other.dstMac));
        diff(out, "src4", addr(src4), addr(other.src4));
        diff(out, "src6", addr(src6), addr(other.src6));
        diff(out, "gue-port", guePort, other.guePort);
        diff(out, "mtu", mtu, other.mtu);
        diff(out, "flood-threshold", floodThreshold, other.floodThreshold);
        return out;
    }

    private static void diff(List<String> out, String field, Object a, Object b) {
        if (!Objects.equals(a, b)) out.add(field + " " + a + " -> " + b);
    }

    private static String addr(InetAddress a) {
        return a == null ? "none" : Addresses.format(a);
    }

    public static final Codec<LbConfig> CODEC = new Codec<>() {
        private final MemoryLayout layout = MemoryLayout.structLayout(U32.withName("egress_ifindex"),
                Layouts.bytes("src_mac", 6), Layouts.bytes("dst_mac", 6), Layouts.bytes("src4", 4),
                Layouts.addr("src6"), BE16.withName("gue_port"), U16.withName("mtu"), U32.withName("flood_threshold"));

        public String cStruct() { return "lb_config"; }
        public MemoryLayout layout() { return layout; }

        public void encode(LbConfig v, MemorySegment s) {
            s.fill((byte) 0);
            s.set(U32, offset(layout, "egress_ifindex"), v.egressIfindex);
            MemorySegment.copy(v.srcMac, 0, s, ValueLayout.JAVA_BYTE, offset(layout, "src_mac"), 6);
            MemorySegment.copy(v.dstMac, 0, s, ValueLayout.JAVA_BYTE, offset(layout, "dst_mac"), 6);
            if (v.src4 != null) MemorySegment.copy(v.src4.getAddress(), 0, s, ValueLayout.JAVA_BYTE, offset(layout, "src4"), 4);
            if (v.src6 != null) Addresses.write(v.src6, s, offset(layout, "src6"));
            s.set(BE16, offset(layout, "gue_port"), (short) v.guePort);
            s.set(U16, offset(layout, "mtu"), (short) v.mtu);
            s.set(U32, offset(layout, "flood_threshold"), v.floodThreshold);
        }

        public LbConfig decode(MemorySegment s) {
            byte[] src = s.asSlice(offset(layout, "src_mac"), 6).toArray(ValueLayout.JAVA_BYTE);
            byte[] dst = s.asSlice(offset(layout, "dst_mac"), 6).toArray(ValueLayout.JAVA_BYTE);
            InetAddress v4 = Addresses.read(s, offset(layout, "src4"), Addresses.AF_INET);
            InetAddress v6 = Addresses.read(s, offset(layout, "src6"), Addresses.AF_INET6);
            return new LbConfig(s.get(U32, offset(layout, "egress_ifindex")), src, dst,
                    v4.isAnyLocalAddress() ? null : (Inet4Address) v4,
                    v6.isAnyLocalAddress() ? null : (Inet6Address) v6,
                    Short.toUnsignedInt(s.get(BE16, offset(layout, "gue_port"))),
                    Short.toUnsignedInt(s.get(U16, offset(layout, "mtu"))), s.get(U32, offset(layout, "flood_threshold")));
        }
    };
}
