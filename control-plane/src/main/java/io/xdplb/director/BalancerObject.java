package io.xdplb.director;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.ObjectSpec;
import io.xdplb.attach.PinnedObject;
import io.xdplb.libbpf.BpfObject;
import io.xdplb.maps.Counter;
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

    /** The director program and the maps an instance pins. */
    public static final ObjectSpec SPEC = new ObjectSpec(NAME,
            List.of("vip2tnl", "vip_addrs", "reals", "ring", "conn_table", "lb_config", "vip_stats", "real_stats", "lb_stats"),
            List.of(VipKey.CODEC, VipMeta.CODEC, IpAddr.CODEC, FlowKey.CODEC, FlowState.CODEC, LbConfig.CODEC, Counter.CODEC));

    /** Opens, sizes and loads the object (not pinned). */
    public static BpfObject load(Sizes sizes) {
        return SPEC.load(obj -> size(obj, sizes));
    }

    /** The instance's pinned balancer. */
    public static PinnedObject pinned(InstanceLayout layout) {
        return new PinnedObject(layout, SPEC);
    }

    /** Sets the map sizes and the ring size before load. */
    public static void size(BpfObject obj, Sizes sizes) {
        obj.setMaxEntries("vip2tnl", sizes.maxVips());
        obj.setMaxEntries("vip_addrs", sizes.maxVips());
        obj.setMaxEntries("vip_stats", sizes.maxVips());
        obj.setMaxEntries("reals", sizes.maxReals());
        obj.setMaxEntries("real_stats", sizes.maxReals());
        obj.setMaxEntries("ring", sizes.maxVips() * 2 * sizes.ringSize());
        obj.setMaxEntries("conn_table", sizes.connTableSize());
        obj.setRodataU32("ring_size", sizes.ringSize());
    }
}
