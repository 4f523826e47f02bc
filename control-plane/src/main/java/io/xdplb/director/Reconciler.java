package io.xdplb.director;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.attach.XdpAttachments;
import io.xdplb.libbpf.Netns;
import io.xdplb.libbpf.XdpMode;
import io.xdplb.model.AttachMode;
import io.xdplb.model.Config;
import io.xdplb.model.ConfigStore;
import io.xdplb.model.Director;
import io.xdplb.model.Plan;
import io.xdplb.model.RealServer;
import io.xdplb.realserver.RealServerHealth;
import io.xdplb.realserver.RealServerState;
import io.xdplb.realserver.RealServers;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * `xdplb apply`: makes the machine match a configuration. It compares the desired file
 * with what is really there (pins and real-server records, which a reboot empties), not
 * only with the saved file, so applying the saved file after a reboot rebuilds everything.
 */
public final class Reconciler {
    private final InstanceLayout layout;
    private final ConfigStore store;
    private final Balancer balancer;
    private final RealServers realServers;

    public Reconciler(InstanceLayout layout, ConfigStore store) {
        this.layout = layout;
        this.store = store;
        this.balancer = new Balancer(layout, store);
        this.realServers = new RealServers(layout);
    }

    /**
     * The saved configuration, corrected by what actually exists: what apply starts from. A real-server
     * record that is stale or incomplete does not count as a set-up (apply sets it up again, or removes it).
     */
    public Config actual(Config saved) {
        List<RealServer> rs = new ArrayList<>();
        for (RealServerState s : RealServerState.all(layout.instance())) {
            if (RealServerHealth.healthy(s, layout)) rs.add(asRealServer(s));
        }
        Director d = balancer.isAttached() ? saved.director() : null;
        return new Config(saved.sizes(), d, saved.vips(), rs, saved.bgp());
    }

    private static RealServer asRealServer(RealServerState s) {
        return new RealServer(s.iface(), s.netns(), s.vips().stream().map(InetAddress::ofLiteral).toList(), s.guePort(),
                AttachMode.parse(s.mode()));
    }

    /**
     * What apply starts from when it wants desired: {@link #actual}, plus the stale or incomplete records of
     * interfaces desired does not list, so that the plan shows their removal (teardown cleans what it can).
     * Those desired does list count as absent: apply sets them up again, replacing the record.
     */
    private Config actualFor(Config saved, Config desired) {
        Config now = actual(saved);
        List<RealServer> rs = new ArrayList<>(now.realservers());
        for (RealServerState s : RealServerState.all(layout.instance())) {
            boolean wanted = desired.realservers().stream().anyMatch(d -> d.sameInterface(s.iface(), s.netns()));
            if (!wanted && !RealServerHealth.healthy(s, layout)) rs.add(asRealServer(s));
        }
        return new Config(now.sizes(), now.director(), now.vips(), rs, now.bgp());
    }

    public Plan plan(Config desired) {
        return Plan.between(actualFor(store.load(), desired), desired);
    }

    /** Applies desired; returns the plan that was carried out. */
    public Plan apply(Config desired) {
        checkEnvironment(desired);
        Plan[] done = new Plan[1];
        store.update(saved -> {
            Config now = actualFor(saved, desired);
            done[0] = Plan.between(now, desired);
            boolean attached = balancer.isAttached();
            boolean reattach = attached && (desired.director() == null || !desired.director().equals(now.director())
                    || !desired.sizes().equals(now.sizes()));
            if (reattach) {
                Director d = now.director();
                now = balancer.detachIn(now, new Target(d.iface(), d.netns()));
                attached = false;
            }

            Map<Target, RealServer> want = new HashMap<>();
            for (RealServer rs : desired.realservers()) want.put(new Target(rs.iface(), rs.netns()), rs);
            for (RealServer rs : now.realservers()) {
                Target t = new Target(rs.iface(), rs.netns());
                if (!Objects.equals(want.get(t), rs)) realServers.teardown(t);
            }
            for (RealServer rs : desired.realservers()) {
                Target t = new Target(rs.iface(), rs.netns());
                boolean same = now.realservers().stream().anyMatch(rs::equals);
                if (!same) realServers.setup(t, rs.vips(), rs.guePort(), XdpMode.parse(rs.mode().label()));
            }

            Config vipsDone = new Config(desired.sizes(), attached ? now.director() : null, desired.vips(),
                    desired.realservers(), desired.bgp());
            if (attached) balancer.changeIn(now, vipsDone);
            if (desired.director() != null && !attached) {
                balancer.attachIn(new Config(desired.sizes(), null, desired.vips(), desired.realservers(), desired.bgp()),
                        desired.director(), desired.sizes());
            }
            return desired;
        });
        return done[0];
    }

    /** Interfaces and namespaces named by the file must exist before anything is changed. */
    private static void checkEnvironment(Config desired) {
        List<Target> targets = new ArrayList<>();
        if (desired.director() != null) targets.add(new Target(desired.director().iface(), desired.director().netns()));
        for (RealServer rs : desired.realservers()) targets.add(new Target(rs.iface(), rs.netns()));
        for (Target t : targets) Netns.run(t.netns(), () -> XdpAttachments.ifindex(t));
    }
}
