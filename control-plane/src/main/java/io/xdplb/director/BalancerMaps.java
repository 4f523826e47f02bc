package io.xdplb.director;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.libbpf.BpfMap;
import io.xdplb.maps.Codec;
import io.xdplb.maps.Counter;
import io.xdplb.maps.FlowKey;
import io.xdplb.maps.FlowState;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.LbConfig;
import io.xdplb.maps.PerCpuArray;
import io.xdplb.maps.TypedMap;
import io.xdplb.maps.U32;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.model.Sizes;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The director program's maps, typed. Opened from a loaded object or from an instance's pins. */
public final class BalancerMaps implements AutoCloseable {
    public static final List<String> NAMES = List.of("vip2tnl", "vip_addrs", "reals", "ring", "conn_table",
            "lb_config", "vip_stats", "real_stats", "lb_stats");
    /** Every ABI struct the director's maps use, for the BTF check at load. */
    public static final List<Codec<?>> CODECS = List.of(VipKey.CODEC, VipMeta.CODEC, IpAddr.CODEC, FlowKey.CODEC,
            FlowState.CODEC, LbConfig.CODEC, Counter.CODEC);

    private final List<BpfMap> opened;
    public final TypedMap<VipKey, VipMeta> vip2tnl;
    public final TypedMap<IpAddr, Integer> vipAddrs;
    public final TypedMap<Integer, IpAddr> reals;
    public final TypedMap<Integer, Integer> ring;
    public final TypedMap<FlowKey, FlowState> connTable;
    public final TypedMap<Integer, LbConfig> lbConfig;
    public final PerCpuArray vipStats;
    public final PerCpuArray realStats;
    public final PerCpuArray lbStats;

    private BalancerMaps(Function<String, BpfMap> open) {
        opened = new ArrayList<>();
        for (String n : NAMES) opened.add(open.apply(n));
        vip2tnl = new TypedMap<>(opened.get(0), VipKey.CODEC, VipMeta.CODEC);
        vipAddrs = new TypedMap<>(opened.get(1), IpAddr.CODEC, U32.CODEC);
        reals = new TypedMap<>(opened.get(2), U32.CODEC, IpAddr.CODEC);
        ring = new TypedMap<>(opened.get(3), U32.CODEC, U32.CODEC);
        connTable = new TypedMap<>(opened.get(4), FlowKey.CODEC, FlowState.CODEC);
        lbConfig = new TypedMap<>(opened.get(5), U32.CODEC, LbConfig.CODEC);
        vipStats = new PerCpuArray(opened.get(6));
        realStats = new PerCpuArray(opened.get(7));
        lbStats = new PerCpuArray(opened.get(8));
    }

    public static BalancerMaps of(Function<String, BpfMap> open) {
        return new BalancerMaps(open);
    }

    public static BalancerMaps pinned(InstanceLayout layout) {
        return new BalancerMaps(n -> BpfMap.pinned(layout.map(n)));
    }

    /** The sizes the maps were created with (the ring size follows from the ring's length). */
    public Sizes sizes() {
        int maxVips = vipStats.size();
        return new Sizes(maxVips, realStats.size(), ring.raw().maxEntries() / (2 * maxVips),
                connTable.raw().maxEntries());
    }

    public List<BpfMap> all() {
        return opened;
    }

    @Override
    public void close() {
        for (BpfMap m : opened) m.close();
    }
}
