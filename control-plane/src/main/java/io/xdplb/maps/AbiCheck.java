package io.xdplb.maps;

import io.xdplb.libbpf.Btf;

import java.lang.foreign.MemoryLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compares every Java layout of the ABI with the struct the compiler put in the object's
 * BTF: same size, same members at the same offsets. A mismatch means the jar and the BPF
 * object were built from different versions of xdplb_abi.h; better to stop than corrupt maps.
 */
public final class AbiCheck {
    private AbiCheck() {}

    public static void verify(String object, Btf btf, List<Codec<?>> codecs) {
        List<String> problems = new ArrayList<>();
        for (Codec<?> c : codecs) {
            if (c.cStruct() == null) continue;
            long size = btf.structSize(c.cStruct());
            if (size < 0) {
                problems.add("struct " + c.cStruct() + " missing");
                continue;
            }
            if (size != c.size()) problems.add("struct " + c.cStruct() + " is " + size + " bytes, Java expects " + c.size());
            Map<String, Long> offsets = btf.memberOffsets(c.cStruct());
            for (MemoryLayout m : ((java.lang.foreign.GroupLayout) c.layout()).memberLayouts()) {
                String name = m.name().orElseThrow();
                long javaOffset = Layouts.offset(c.layout(), name);
                Long cOffset = offsets.get(name);
                if (cOffset == null) problems.add(c.cStruct() + "." + name + " missing");
                else if (cOffset != javaOffset) {
                    problems.add(c.cStruct() + "." + name + " at " + cOffset + ", Java expects " + javaOffset);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(object + ".bpf.o does not match the control plane's ABI ("
                    + String.join("; ", problems) + "): rebuild both with `make build`");
        }
    }
}
