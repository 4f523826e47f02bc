package io.xdplb.realserver;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.ObjectSpec;
import io.xdplb.attach.PinnedObject;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.maps.Counter;
import io.xdplb.maps.DecapConfig;
import io.xdplb.maps.IpAddr;

import java.util.List;

/** bpf/decap.bpf.o: loaded once per instance, program and maps pinned, shared by its real-server set-ups. */
public final class DecapProgram {
    private DecapProgram() {}

    public static final String NAME = "decap";

    public static final ObjectSpec SPEC = new ObjectSpec(NAME, List.of("decap_addrs", "decap_config", "decap_stats"),
            List.of(IpAddr.CODEC, DecapConfig.CODEC, Counter.CODEC));

    /** Opens and loads the object (not pinned). */
    public static BpfObject load() {
        return SPEC.load();
    }

    public static PinnedObject pinned(InstanceLayout layout) {
        return new PinnedObject(layout, SPEC);
    }
}
