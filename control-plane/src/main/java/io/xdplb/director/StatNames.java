package io.xdplb.director;

import io.xdplb.libbpf.BpfObject;
import io.xdplb.libbpf.BtfEnums;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Names of the global counters, read from the BTF of the objects in the jar (enum
 * xdplb_stat, enum xdplb_decap_stat), so a counter added to the C enum shows up by name
 * without touching Java: XDPLB_STAT_DROP_NO_REAL becomes "drop_no_real".
 */
public final class StatNames {
    private StatNames() {}

    public static List<String> of(String object, String enumName, String prefix) {
        Map<String, Integer> values = BtfEnums.of(BpfObject.resource(object), enumName);
        List<String> names = new ArrayList<>();
        values.forEach((name, value) -> {
            if (name.endsWith("_MAX") || value < 0) return;
            while (names.size() <= value) names.add("counter_" + names.size());
            names.set(value, name.substring(name.startsWith(prefix) ? prefix.length() : 0).toLowerCase(Locale.ROOT));
        });
        return names;
    }

    public static List<String> balancer() {
        return of(BalancerObject.NAME, "xdplb_stat", "XDPLB_STAT_");
    }

    public static List<String> decap() {
        return of("decap", "xdplb_decap_stat", "XDPLB_DECAP_");
    }
}
