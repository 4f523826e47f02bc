package io.xdplb.realserver;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.libbpf.BpfMap;
import io.xdplb.maps.Codec;
import io.xdplb.maps.DecapConfig;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.MapSet;
import io.xdplb.maps.PerCpuArray;
import io.xdplb.maps.TypedMap;
import io.xdplb.maps.U32;

import java.util.List;
import java.util.function.Function;

/** The real-server program's maps, typed, each bound by name. */
public final class DecapMaps implements AutoCloseable {
    public static final List<String> NAMES = DecapProgram.SPEC.maps();
    public static final List<Codec<?>> CODECS = DecapProgram.SPEC.codecs();

    private final MapSet opened;
    public final TypedMap<IpAddr, Integer> addrs;
    public final TypedMap<Integer, DecapConfig> config;
    public final PerCpuArray stats;

    private DecapMaps(Function<String, BpfMap> open) {
        opened = new MapSet(open);
        addrs = new TypedMap<>(opened.open("decap_addrs"), IpAddr.CODEC, U32.CODEC);
        config = new TypedMap<>(opened.open("decap_config"), U32.CODEC, DecapConfig.CODEC);
        stats = new PerCpuArray(opened.open("decap_stats"));
    }

    public static DecapMaps of(Function<String, BpfMap> open) {
        return new DecapMaps(open);
    }

    public static DecapMaps pinned(InstanceLayout layout) {
        return new DecapMaps(DecapProgram.pinned(layout)::map);
    }

    @Override
    public void close() {
        opened.close();
    }
}
