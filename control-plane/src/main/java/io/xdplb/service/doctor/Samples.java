package io.xdplb.service.doctor;

import io.xdplb.director.BalancerMaps;
import io.xdplb.director.StatNames;
import io.xdplb.director.Stats;
import io.xdplb.maps.Counter;
import io.xdplb.realserver.DecapMaps;
import io.xdplb.realserver.DecapProgram;
import io.xdplb.realserver.RealServerState;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One reading of every counter doctor watches for growth: the director's verdict counters
 * (lb_stats), the decap counters, the driver's XDP error counters of the director's
 * interfaces (ethtool -S), and each real's TcpInCsumErrors / IPReversePathFilter (nstat).
 * Doctor takes two, an interval apart; a counter "grows" when the second is larger.
 */
final class Samples {
    static final List<String> KERNEL_COUNTERS = List.of("TcpInCsumErrors", "TcpExtIPReversePathFilter");

    private final Map<String, Long> values = new LinkedHashMap<>();

    static Samples take(Scene s, List<String> lbNames, List<String> decapNames) {
        Samples out = new Samples();
        if (s.balancerLoaded()) {
            try (BalancerMaps maps = BalancerMaps.pinned(s.layout())) {
                Stats.global(maps.lbStats, lbNames).forEach((k, v) -> out.values.put("lb:" + k, v.packets()));
            }
        }
        if (DecapProgram.pinned(s.layout()).isPinned()) {
            try (DecapMaps maps = DecapMaps.pinned(s.layout())) {
                Map<String, Counter> g = Stats.global(maps.stats, decapNames);
                g.forEach((k, v) -> out.values.put("decap:" + k, v.packets()));
            }
        }
        if (s.director() != null) {
            for (Host.If i : List.of(s.ingress(), s.egress())) {
                if (!Host.exists(i.netns())) continue;
                Host.xdpErrorCounters(i).forEach((k, v) -> out.values.put(eth(i, k), v));
            }
        }
        for (RealServerState r : s.realservers()) {
            if (!Host.exists(r.netns())) continue;
            Map<String, Long> n = Host.nstat(r.netns());
            for (String k : KERNEL_COUNTERS) if (n.containsKey(k)) out.values.put(nstat(r.netns(), k), n.get(k));
        }
        return out;
    }

    static String eth(Host.If i, String counter) {
        return "eth:" + i + ":" + counter;
    }

    static String nstat(String netns, String counter) {
        return "nstat:" + netns + ":" + counter;
    }

    Long get(String key) {
        return values.get(key);
    }

    /** How much key grew from before to this reading (0 when unknown in either). */
    long growth(Samples before, String key) {
        Long a = before.values.get(key);
        Long b = values.get(key);
        return a == null || b == null ? 0 : b - a;
    }

    Map<String, Long> all() {
        return values;
    }
}
