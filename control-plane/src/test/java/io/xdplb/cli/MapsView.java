package io.xdplb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.xdplb.model.Config;
import io.xdplb.model.ConfigJson;
import io.xdplb.model.IpAddresses;
import io.xdplb.model.Maglev;
import io.xdplb.model.Real;
import io.xdplb.model.VipConfig;
import io.xdplb.model.VipFlag;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the director's maps hold, as `xdplb dump` shows it, without ids or ring slots (which
 * differ between equal states): per VIP its encap, flags and slots per real; per address its
 * VIP count; the set of reals. {@link #expected} computes the same from a configuration file,
 * so "the maps match the file" is one assertEquals.
 */
record MapsView(Map<String, String> vips, Map<String, Map<String, Integer>> slots, Map<String, Integer> vipAddrs,
                TreeSet<String> reals) {

    /** From `xdplb dump vip2tnl vip_addrs reals ring`. */
    static MapsView ofDump(JsonNode dump) {
        Map<String, String> vips = new TreeMap<>();
        for (JsonNode v : dump.path("vip2tnl")) {
            List<String> flags = new ArrayList<>();
            v.path("flags").forEach(f -> flags.add(f.asText()));
            flags.sort(null);
            vips.put(v.path("vip").asText(), v.path("encap").asText() + " " + flags);
        }
        Map<String, Map<String, Integer>> slots = new TreeMap<>();
        for (JsonNode r : dump.path("ring")) {
            Map<String, Integer> s = new TreeMap<>();
            r.path("slotsPerReal").fields().forEachRemaining(e -> s.put(e.getKey(), e.getValue().asInt()));
            slots.put(r.path("vip").asText(), s);
        }
        Map<String, Integer> addrs = new TreeMap<>();
        for (JsonNode a : dump.path("vip_addrs")) addrs.put(a.path("address").asText(), a.path("vips").asInt());
        TreeSet<String> reals = new TreeSet<>();
        for (JsonNode r : dump.path("reals")) reals.add(r.path("address").asText());
        return new MapsView(vips, slots, addrs, reals);
    }

    /** What the maps must hold for this configuration file. */
    static MapsView expected(String configJson) {
        Config c = ConfigJson.parse(configJson, "expected");
        int ringSize = c.sizes().ringSize();
        Map<String, String> vips = new TreeMap<>();
        Map<String, Map<String, Integer>> slots = new TreeMap<>();
        Map<String, Integer> addrs = new TreeMap<>();
        TreeSet<String> reals = new TreeSet<>();
        for (VipConfig v : c.vips()) {
            List<String> flags = new ArrayList<>(v.flags().stream().map(VipFlag::label).toList());
            flags.sort(null);
            vips.put(v.vip().toString(), v.encap().label() + " " + flags);
            addrs.merge(IpAddresses.format(v.vip().address()), 1, Integer::sum);
            List<Maglev.Backend> backends = new ArrayList<>();
            Map<Integer, String> byId = new TreeMap<>();
            int id = 1;
            for (Real r : v.reals()) {
                backends.add(Maglev.Backend.of(id, r.address(), r.weight()));
                byId.put(id++, IpAddresses.format(r.address()));
                reals.add(IpAddresses.format(r.address()));
            }
            Map<String, Integer> s = new TreeMap<>();
            for (int slot : Maglev.ring(backends, ringSize)) s.merge(slot == 0 ? "none" : byId.get(slot), 1, Integer::sum);
            slots.put(v.vip().toString(), s);
        }
        return new MapsView(vips, slots, addrs, reals);
    }
}
