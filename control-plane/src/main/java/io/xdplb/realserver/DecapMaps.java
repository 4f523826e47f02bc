package io.xdplb.realserver;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.libbpf.BpfMap;
import io.xdplb.maps.Codec;
import io.xdplb.maps.Counter;
import io.xdplb.maps.DecapConfig;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.PerCpuArray;
import io.xdplb.maps.TypedMap;
import io.xdplb.maps.U32;

import java.util.List;
import java.util.function.Function;

/** The real-server program's maps, typed. */
public final class DecapMaps implements AutoCloseable {
    public static final List<String> NAMES = List.of("decap_addrs", "decap_config", "decap_stats");
    public static final List<Codec<?>> CODECS = List.of(IpAddr.CODEC, DecapConfig.CODEC, Counter.CODEC);

    private final List<BpfMap> opened;
    public final TypedMap<IpAddr, Integer> addrs;
    public final TypedMap<Integer, DecapConfig> config;
    public final PerCpuArray stats;

    private DecapMaps(Function<String, BpfMap> open) {
        opened = NAMES.stream().map(open).toList();
        addrs = new TypedMap<>(opened.get(0), IpAddr.CODEC, U32.CODEC);
        config = new TypedMap<>(opened.get(1), U32.CODEC, DecapConfig.CODEC);
        stats = new PerCpuArray(opened.get(2));
    }

    public static DecapMaps of(Function<String, BpfMap> open) {
        return new DecapMaps(open);
    }

    public static DecapMaps pinned(InstanceLayout layout) {
        return new DecapMaps(n -> BpfMap.pinned(layout.map(n)));
    }

    @Override
    public void close() {
        for (BpfMap m : opened) m.close();
    }
}
