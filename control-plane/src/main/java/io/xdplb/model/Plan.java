package io.xdplb.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What `xdplb apply` has to do to turn the current configuration into the desired one, in the
 * order it should be done:
 * <ol>
 * <li>sizes (a change means the director's maps are re-created);</li>
 * <li>director detached (removed, or moved to another interface or namespace);</li>
 * <li>real-server set-ups removed (frees their interfaces);</li>
 * <li>VIPs removed, each after its reals (frees VIP and real capacity before anything is added);</li>
 * <li>VIPs kept: settings, then reals removed, re-weighted, added;</li>
 * <li>VIPs added, each followed by its reals;</li>
 * <li>director settings changed or director attached (last, so that its first packet meets the whole configuration);</li>
 * <li>real-server set-ups changed, then added;</li>
 * <li>BGP settings (`xdplb agent` announces with them).</li>
 * </ol>
 */
public record Plan(List<Change> changes) {
    public static final String NOTHING_TO_DO = "nothing to do";

    public Plan {
        changes = List.copyOf(changes);
    }

    public static Plan between(Config current, Config desired) {
        List<Change> out = new ArrayList<>();
        if (!current.sizes().equals(desired.sizes())) out.add(new Change.SizesChanged(current.sizes(), desired.sizes()));

        Director from = current.director(), to = desired.director();
        boolean moved = from != null && to != null && !from.sameInterface(to.iface(), to.netns());
        if (from != null && (to == null || moved)) out.add(new Change.DirectorDetached(from));

        Map<String, RealServer> rsFrom = byInterface(current.realservers());
        Map<String, RealServer> rsTo = byInterface(desired.realservers());
        rsFrom.forEach((k, rs) -> {
            if (!rsTo.containsKey(k)) out.add(new Change.RealServerRemoved(rs));
        });

        // Maps, not list searches: a configuration may hold 65536 VIPs.
        Map<Vip, VipConfig> have = byVip(current.vips()), want = byVip(desired.vips());
        have.forEach((vip, v) -> {
            if (!want.containsKey(vip)) {
                for (Real r : v.reals()) out.add(new Change.RealRemoved(vip, r));
                out.add(new Change.VipRemoved(v));
            }
        });
        want.forEach((vip, v) -> {
            if (have.containsKey(vip)) vipChanges(have.get(vip), v, out);
        });
        want.forEach((vip, v) -> {
            if (!have.containsKey(vip)) {
                out.add(new Change.VipAdded(v));
                for (Real r : v.reals()) out.add(new Change.RealAdded(vip, r));
            }
        });

        if (to != null && (from == null || moved)) out.add(new Change.DirectorAttached(to));
        else if (to != null && !to.equals(from)) out.add(new Change.DirectorChanged(from, to));

        rsTo.forEach((k, rs) -> {
            RealServer old = rsFrom.get(k);
            if (old != null && !old.equals(rs)) out.add(new Change.RealServerChanged(old, rs));
        });
        rsTo.forEach((k, rs) -> {
            if (!rsFrom.containsKey(k)) out.add(new Change.RealServerAdded(rs));
        });
        if (!Objects.equals(current.bgp(), desired.bgp())) out.add(new Change.BgpChanged(current.bgp(), desired.bgp()));
        return new Plan(out);
    }

    private static void vipChanges(VipConfig have, VipConfig want, List<Change> out) {
        if (have.encap() != want.encap() || !have.flags().equals(want.flags()) || have.minHealthy() != want.minHealthy()) {
            out.add(new Change.VipChanged(want.vip(), have.encap(), want.encap(), have.flags(), want.flags(),
                    have.minHealthy(), want.minHealthy()));
        }
        if (!have.check().equals(want.check())) out.add(new Change.VipCheckChanged(want.vip(), have.check(), want.check()));
        Map<InetAddress, Real> old = byAddress(have.reals()), now = byAddress(want.reals());
        old.forEach((a, r) -> {
            if (!now.containsKey(a)) out.add(new Change.RealRemoved(want.vip(), r));
        });
        now.forEach((a, r) -> {
            Real o = old.get(a);
            if (o != null && o.weight() != r.weight()) {
                out.add(new Change.RealWeightChanged(want.vip(), a, o.weight(), r.weight()));
            }
        });
        now.forEach((a, r) -> {
            if (!old.containsKey(a)) out.add(new Change.RealAdded(want.vip(), r));
        });
    }

    /** Keyed by VIP in the config's (sorted) order. */
    private static Map<Vip, VipConfig> byVip(List<VipConfig> vips) {
        Map<Vip, VipConfig> m = new LinkedHashMap<>();
        for (VipConfig v : vips) m.put(v.vip(), v);
        return m;
    }

    /** Keyed by address in the VIP's (sorted) order. */
    private static Map<InetAddress, Real> byAddress(List<Real> reals) {
        Map<InetAddress, Real> m = new LinkedHashMap<>();
        for (Real r : reals) m.put(r.address(), r);
        return m;
    }

    /** Real-server set-ups keyed by namespace and interface, in the config file's order. */
    private static Map<String, RealServer> byInterface(List<RealServer> list) {
        Map<String, RealServer> m = new TreeMap<>();
        // The key sorts like Config.REALSERVER_ORDER: no namespace first ("\0" < any name).
        for (RealServer rs : list) m.put(Objects.requireNonNullElse(rs.netns(), "") + "\0" + rs.iface(), rs);
        return m;
    }

    /** This plan with one more change at the end. */
    public Plan with(Change c) {
        List<Change> all = new ArrayList<>(changes);
        all.add(c);
        return new Plan(all);
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    public List<String> lines() {
        return changes.stream().map(Change::line).toList();
    }

    /** The lines, one per change, or "nothing to do". */
    public String text() {
        return isEmpty() ? NOTHING_TO_DO : String.join("\n", lines());
    }

    /** A JSON array of the changes, in order. */
    public ArrayNode toJson() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        changes.forEach(c -> a.add(c.toJson()));
        return a;
    }
}
