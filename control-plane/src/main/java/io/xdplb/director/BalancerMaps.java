package io.xdplb.director;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.PinnedObject;
import io.xdplb.libbpf.BpfMap;
import io.xdplb.maps.Codec;
import io.xdplb.maps.FloodState;
import io.xdplb.maps.FlowKey;
import io.xdplb.maps.FlowState;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.LbConfig;
import io.xdplb.maps.MapSet;
import io.xdplb.maps.PerCpuArray;
import io.xdplb.maps.PerCpuValues;
import io.xdplb.maps.TypedMap;
import io.xdplb.maps.U32;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.model.Sizes;

import java.util.List;
import java.util.function.Function;

/** The director program's maps, typed, each bound by name. Opened from a loaded object or from an instance's pins. */
public final class BalancerMaps implements AutoCloseable {
    public static final List<String> NAMES = BalancerObject.SPEC.maps();
    /** Every ABI struct the director's maps use, for the BTF check at load. */
    public static final List<Codec<?>> CODECS = BalancerObject.SPEC.codecs();

    private final MapSet opened;
    public final TypedMap<VipKey, VipMeta> vip2tnl;
    public final TypedMap<IpAddr, Integer> vipAddrs;
    public final TypedMap<Integer, IpAddr> reals;
    public final TypedMap<Integer, Integer> ring;
    /** Every CPU's connection table. */
    public final ConnTables connTable;
    public final TypedMap<Integer, LbConfig> lbConfig;
    public final PerCpuArray vipStats;
    public final PerCpuArray realStats;
    public final PerCpuArray lbStats;
    public final PerCpuValues<FloodState> floodState;

    private BalancerMaps(Function<String, BpfMap> open) {
        opened = new MapSet(open);
        vip2tnl = new TypedMap<>(opened.open("vip2tnl"), VipKey.CODEC, VipMeta.CODEC);
        vipAddrs = new TypedMap<>(opened.open("vip_addrs"), IpAddr.CODEC, U32.CODEC);
        reals = new TypedMap<>(opened.open("reals"), U32.CODEC, IpAddr.CODEC);
        ring = new TypedMap<>(opened.open("ring"), U32.CODEC, U32.CODEC);
        connTable = new ConnTables(opened.open("conn_table"));
        lbConfig = new TypedMap<>(opened.open("lb_config"), U32.CODEC, LbConfig.CODEC);
        vipStats = new PerCpuArray(opened.open("vip_stats"));
        realStats = new PerCpuArray(opened.open("real_stats"));
        lbStats = new PerCpuArray(opened.open("lb_stats"));
        floodState = new PerCpuValues<>(opened.open("flood_state"), FloodState.CODEC);
    }

    /** The maps of a loaded object, e.g. {@code BalancerMaps.of(obj::map)}. */
    public static BalancerMaps of(Function<String, BpfMap> open) {
        return new BalancerMaps(open);
    }

    /** The instance's pinned maps; a clear error when the balancer is not loaded. */
    public static BalancerMaps pinned(InstanceLayout layout) {
        PinnedObject pins = BalancerObject.pinned(layout);
        if (!pins.isPinned()) {
            throw new UserError("the balancer of instance " + layout.instance() + " is not attached: run"
                    + " `xdplb attach --iface IF` first");
        }
        return new BalancerMaps(pins::map);
    }

    /** The sizes the maps were created with (the ring size follows from the ring's length). */
    public Sizes sizes() {
        return new Sizes(vipStats.size(), realStats.size(), ringSize(), connTable.entriesPerCpu());
    }

    /** The slots of one ring (each VIP has two rings: the live one and the one being written). */
    public int ringSize() {
        return ring.raw().maxEntries() / (2 * vipStats.size());
    }

    public List<BpfMap> all() {
        return opened.all();
    }

    @Override
    public void close() {
        connTable.close();
        opened.close();
    }
}
