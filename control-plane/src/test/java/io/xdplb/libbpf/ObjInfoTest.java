package io.xdplb.libbpf;

import io.xdplb.libbpf.gen.bpf_map_info;
import io.xdplb.libbpf.gen.bpf_prog_info;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ObjInfo's offsets are those of the structs jextract generated from linux/bpf.h. */
class ObjInfoTest {
    @Test
    void progInfoOffsetsAreTheGeneratedOnes() {
        assertEquals(bpf_prog_info.sizeof(), ObjInfo.PROG_SIZE);
        assertEquals(bpf_prog_info.id$offset(), ObjInfo.PROG_ID);
        assertEquals(bpf_prog_info.name$offset(), ObjInfo.PROG_NAME);
        assertEquals(bpf_prog_info.name$layout().byteSize(), ObjInfo.NAME_LEN);
    }

    @Test
    void mapInfoOffsetsAreTheGeneratedOnes() {
        assertEquals(bpf_map_info.sizeof(), ObjInfo.MAP_SIZE);
        assertEquals(bpf_map_info.type$offset(), ObjInfo.MAP_TYPE);
        assertEquals(bpf_map_info.id$offset(), ObjInfo.MAP_ID);
        assertEquals(bpf_map_info.key_size$offset(), ObjInfo.MAP_KEY_SIZE);
        assertEquals(bpf_map_info.value_size$offset(), ObjInfo.MAP_VALUE_SIZE);
        assertEquals(bpf_map_info.max_entries$offset(), ObjInfo.MAP_MAX_ENTRIES);
        assertEquals(bpf_map_info.name$offset(), ObjInfo.MAP_NAME);
        assertEquals(bpf_map_info.name$layout().byteSize(), ObjInfo.NAME_LEN);
    }
}
