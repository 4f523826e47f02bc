package io.xdplb.director;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.ObjectSpec;
import io.xdplb.attach.PinnedObject;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.libbpf.LibbpfRuntime;
import io.xdplb.maps.Counter;
import io.xdplb.maps.FloodState;
import io.xdplb.maps.FlowKey;
import io.xdplb.maps.FlowState;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.LbConfig;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.model.Sizes;

import java.util.List;

/** bpf/balancer.bpf.o: its descriptor, and loading it with an instance's sizes. */
public final class BalancerObject {
    private BalancerObject() {}

    public static final String NAME = "balancer";

    /**
     * The director program and the maps an instance pins. conn_table is the array of the per-CPU
     * connection tables; they are not pinned themselves: the array holds them ({@link ConnTables}).
     */
    public static final ObjectSpec SPEC = new ObjectSpec(NAME,
            List.of("vip2tnl", "vip_addrs", "reals", "ring", "conn_table", "lb_config", "vip_stats", "real_stats", "lb_stats",
                    "flood_state"),
            List.of(VipKey.CODEC, VipMeta.CODEC, IpAddr.CODEC, FlowKey.CODEC, FlowState.CODEC, LbConfig.CODEC, Counter.CODEC,
                    FloodState.CODEC));

    /** Opens, sizes and loads the object, its connection tables created (not pinned). */
    public static BpfObject load(Sizes sizes) {
        return SPEC.load(setup(sizes));
    }

    /** The instance's pinned balancer. */
    public static PinnedObject pinned(InstanceLayout layout) {
        return new PinnedObject(layout, SPEC);
    }

    /**
     * Before load: the map sizes and the ring size; conn_table gets a slot per possible CPU. After
     * load: every CPU's connection table, of {@code sizes.connTableSize()} entries (per CPU).
     */
    public static ObjectSpec.Setup setup(Sizes sizes) {
        return new ObjectSpec.Setup() {
            public void beforeLoad(BpfObject obj) {
                obj.setMaxEntries("vip2tnl", sizes.maxVips());
                obj.setMaxEntries("vip_addrs", sizes.maxVips());
                obj.setMaxEntries("vip_stats", sizes.maxVips());
                obj.setMaxEntries("reals", sizes.maxReals());
                obj.setMaxEntries("real_stats", sizes.maxReals());
                obj.setMaxEntries("ring", sizes.maxVips() * 2 * sizes.ringSize());
                obj.setMaxEntries("conn_table", LibbpfRuntime.possibleCpus());
                obj.setRodataU32("ring_size", sizes.ringSize());
            }

            public void afterLoad(BpfObject obj) {
                ConnTables.create(obj.map("conn_table"), sizes.connTableSize());
            }
        };
    }
}
