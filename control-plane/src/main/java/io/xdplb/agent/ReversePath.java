package io.xdplb.agent;

import io.xdplb.model.Director;
import io.xdplb.net.Sysctl;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The known trap of tunnel health checks: the real answers a probe from the VIP, and the
 * reply may reach the director on an interface that is not its route to the VIP (the VIP is
 * routed elsewhere, or in two-NIC set-ups). With strict reverse-path filtering
 * (rp_filter = 1) Linux drops such replies and every check fails. The agent therefore
 * turns strict filtering into loose filtering (2: the source must be routable at all) on the
 * director's interfaces, and says so in its log. Interfaces already at 0 or 2 are left alone.
 * The effective value of an interface is max(all, interface), so raising the interface's own
 * value to 2 is enough and "all" is not touched.
 */
final class ReversePath {
    private ReversePath() {}

    static void allowVipReplies(Director d, Consumer<String> log) {
        List<String> ifaces = new ArrayList<>(List.of(d.iface()));
        if (d.egress() != null && !d.egress().equals(d.iface())) ifaces.add(d.egress());
        int all = Integer.parseInt(Sysctl.get(d.netns(), "net/ipv4/conf/all/rp_filter"));
        for (String i : ifaces) {
            String name = "net/ipv4/conf/" + i + "/rp_filter";
            int own = Integer.parseInt(Sysctl.get(d.netns(), name));
            if (Math.max(all, own) != 1) continue;
            Sysctl.set(d.netns(), name, "2");
            log.accept("rp_filter of " + i + (d.netns() == null ? "" : " (netns " + d.netns() + ")")
                    + " set from strict to loose (2): health-check replies come from the VIP");
        }
    }
}
