package io.xdplb.director;

import io.xdplb.libbpf.BpfObject;
import io.xdplb.model.Sizes;
import io.xdplb.maps.AbiCheck;

/** Opens bpf/balancer.bpf.o from the jar, sizes its maps, checks the ABI and loads it. */
public final class BalancerObject {
    private BalancerObject() {}

    public static final String NAME = "balancer";

    public static BpfObject load(Sizes sizes) {
        BpfObject obj = BpfObject.fromResource(NAME);
        try {
            AbiCheck.verify(NAME, obj.btf(), BalancerMaps.CODECS);
            obj.setMaxEntries("vip2tnl", sizes.maxVips());
            obj.setMaxEntries("vip_addrs", sizes.maxVips());
            obj.setMaxEntries("vip_stats", sizes.maxVips());
            obj.setMaxEntries("reals", sizes.maxReals());
            obj.setMaxEntries("real_stats", sizes.maxReals());
            obj.setMaxEntries("ring", sizes.maxVips() * 2 * sizes.ringSize());
            obj.setMaxEntries("conn_table", sizes.connTableSize());
            obj.setRodataU32("ring_size", sizes.ringSize());
            obj.load();
            return obj;
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }
}
