package io.xdplb.maps;

import io.xdplb.director.BalancerMaps;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.realserver.DecapMaps;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Java layouts agree with the structs the compiler put in the objects' BTF, and a disagreement is caught. */
class AbiCheckTest {
    @Test
    void theJarsObjectsMatchTheJavaLayouts() {
        try (BpfObject balancer = BpfObject.fromResource("balancer"); BpfObject decap = BpfObject.fromResource("decap")) {
            assertDoesNotThrow(() -> AbiCheck.verify("balancer", balancer.btf(), BalancerMaps.CODECS));
            assertDoesNotThrow(() -> AbiCheck.verify("decap", decap.btf(), DecapMaps.CODECS));
            assertEquals(44, balancer.btf().structSize("lb_config"));
        }
    }

    @Test
    void aLayoutThatDriftedFromTheHeaderIsRefused() {
        Codec<Object> drifted = new Codec<>() {
            private final MemoryLayout layout = MemoryLayout.structLayout(Layouts.U32.withName("vip_id"),
                    Layouts.U8.withName("encap"), Layouts.U8.withName("ring_slot"), Layouts.U16.withName("pad"),
                    Layouts.U32.withName("flags"));

            public String cStruct() { return "vip_meta"; }
            public MemoryLayout layout() { return layout; }
            public void encode(Object v, MemorySegment s) {}
            public Object decode(MemorySegment s) { return null; }
        };
        try (BpfObject balancer = BpfObject.fromResource("balancer")) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> AbiCheck.verify("balancer", balancer.btf(), List.of(drifted)));
            assertEquals("balancer.bpf.o does not match the control plane's ABI (vip_meta.encap at 8, Java expects 4;"
                    + " vip_meta.ring_slot at 9, Java expects 5; vip_meta.pad at 10, Java expects 6; vip_meta.flags at 4,"
                    + " Java expects 8): rebuild both with `make build`", e.getMessage());
        }
    }
}
