package io.xdplb.director;

import io.xdplb.maps.Addresses;
import io.xdplb.maps.Counter;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.PerCpuArray;
import io.xdplb.maps.VipKey;
import io.xdplb.maps.VipMeta;
import io.xdplb.model.Proto;
import io.xdplb.model.Vip;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One reading of the director's counters, summed over CPUs. */
public record Stats(long atNanos, List<Row> vips, List<Row> reals, Map<String, Counter> global) {
    /** A VIP or real: its name (VIP text or address) and id. */
    public record Row(String name, int id, Counter counter) {}

    public static Stats read(BalancerMaps maps, List<String> names) {
        List<Row> vips = new ArrayList<>();
        for (Map.Entry<VipKey, VipMeta> e : maps.vip2tnl.entries().entrySet()) {
            VipKey k = e.getKey();
            String name = new Vip(k.address(), k.port(), Proto.ofNumber(k.proto())).toString();
            vips.add(new Row(name, e.getValue().vipId(), maps.vipStats.sum(e.getValue().vipId())));
        }
        vips.sort((a, b) -> a.name().compareTo(b.name()));
        List<Row> reals = new ArrayList<>();
        for (Map.Entry<Integer, IpAddr> e : maps.reals.entries().entrySet()) {
            if (e.getKey() == 0 || e.getValue().address() == null) continue;
            reals.add(new Row(Addresses.format(e.getValue().address()), e.getKey(), maps.realStats.sum(e.getKey())));
        }
        return new Stats(System.nanoTime(), vips, reals, global(maps.lbStats, names));
    }

    /** Every counter of a per-CPU reason array, by name. */
    public static Map<String, Counter> global(PerCpuArray array, List<String> names) {
        Map<String, Counter> out = new LinkedHashMap<>();
        for (int i = 0; i < array.size(); i++) out.put(i < names.size() ? names.get(i) : "counter_" + i, array.sum(i));
        return out;
    }
}
