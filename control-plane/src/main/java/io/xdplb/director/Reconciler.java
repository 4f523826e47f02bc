package io.xdplb.director;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.attach.XdpAttachments;
import io.xdplb.libbpf.Netns;
import io.xdplb.libbpf.XdpMode;
import io.xdplb.maps.LbConfig;
import io.xdplb.model.AttachMode;
import io.xdplb.model.Change;
import io.xdplb.model.Config;
import io.xdplb.model.ConfigStore;
import io.xdplb.model.Director;
import io.xdplb.model.Plan;
import io.xdplb.model.RealServer;
import io.xdplb.model.Sizes;
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
        this(layout, store, new Balancer(layout, store));
    }

    /** With the balancer the caller uses (e.g. one that writes effective weights to the maps). */
    public Reconciler(InstanceLayout layout, ConfigStore store, Balancer balancer) {
        this.layout = layout;
        this.store = store;
        this.balancer = balancer;
        this.realServers = new RealServers(layout);
    }

    /**
     * The saved configuration, corrected by what actually exists: what apply starts from. A real-server
     * record that is stale or incomplete does not count as a set-up (apply sets it up again, or removes it).
     * The director counts only when its link is live on the interface the file names; the sizes are the
     * live maps' own.
     */
    public Config actual(Config saved) {
        List<RealServer> rs = new ArrayList<>();
        for (RealServerState s : RealServerState.all(layout.instance())) {
            if (RealServerHealth.healthy(s, layout)) rs.add(asRealServer(s));
        }
        Director d = null;
        Sizes sizes = saved.sizes();
        if (balancer.isAttached()) {
            XdpAttachments.Attachment link = balancer.link();
            Director inFile = saved.director();
            // The link's interface by its name now: after `ip link set va name vx` the director runs on
            // vx, whether the saved file still says va (recorded before the rename) or already vx.
            String nowName = link.targetNow().iface();
            if (inFile != null && (inFile.sameInterface(nowName, link.netns()) || inFile.sameInterface(link.iface(), link.netns()))) {
                d = inFile.withIface(nowName);
            }
            sizes = balancer.liveSizes();
        }
        return new Config(sizes, d, saved.vips(), rs, saved.bgp());
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

    /**
     * Applies desired; returns the plan that was carried out. A live director that stays is
     * reconciled against its maps (what they hold, not what the saved file says); anything else
     * of the balancer (a defunct link, a killed attach's pins, a director that moves or changes)
     * is removed and attached afresh, after everything the new attachment needs was checked.
     */
    public Plan apply(Config desired) {
        checkEnvironment(desired);
        return applyIn(saved -> desired);
    }

    /**
     * Makes the machine match the file as it is inside the transaction: the agent's apply, which
     * never writes back an older copy over a change another command has just made.
     */
    public Plan restore() {
        return applyIn(saved -> {
            checkEnvironment(saved);
            return saved;
        });
    }

    private Plan applyIn(java.util.function.UnaryOperator<Config> desiredOf) {
        Plan[] done = new Plan[1];
        store.update(saved -> {
            Config desired = desiredOf.apply(saved);
            Config now = actualFor(saved, desired);
            Plan plan = Plan.between(now, desired);
            Director want = desired.director();
            Director have = now.director();
            // The link stays when interface, mode and sizes do; every other director setting lives in
            // lb_config alone and is rewritten in place, so established flows keep their conn-table entry.
            boolean keep = want != null && have != null && want.sameInterface(have.iface(), have.netns())
                    && want.mode() == have.mode() && desired.sizes().equals(now.sizes());
            // egress, addresses, gateway: resolved (or refused) before anything is detached or written
            LbConfig lb = want == null ? null : LbSettings.resolve(want, keep ? balancer.liveLbConfig() : null);
            if (!keep) {
                balancer.removeLeftovers(); // moved, changed, defunct, or pins of a killed attach
                now = now.withDirector(null);
            }

            Map<Target, RealServer> wantRs = new HashMap<>();
            for (RealServer rs : desired.realservers()) wantRs.put(new Target(rs.iface(), rs.netns()), rs);
            for (RealServer rs : now.realservers()) {
                Target t = new Target(rs.iface(), rs.netns());
                if (!Objects.equals(wantRs.get(t), rs)) realServers.teardown(t);
            }
            for (RealServer rs : desired.realservers()) {
                Target t = new Target(rs.iface(), rs.netns());
                boolean same = now.realservers().stream().anyMatch(rs::equals);
                if (!same) realServers.setup(t, rs.vips(), rs.guePort(), XdpMode.parse(rs.mode().label()));
            }

            if (keep) {
                XdpAttachments.Attachment renamed = balancer.followRename();
                if (renamed != null) plan = plan.with(new Change.DirectorRenamed(renamed.iface(), renamed.ifaceNow(), renamed.netns()));
                int repaired = balancer.reconcileIn(desired);
                if (repaired > 0 && plan.changes().stream().allMatch(c -> c instanceof Change.DirectorRenamed)) plan = plan.with(new Change.MapsRepaired(repaired));
                List<String> settings = balancer.reconcileLbConfig(lb);
                boolean planned = plan.changes().stream().anyMatch(c -> c instanceof Change.DirectorChanged);
                if (!settings.isEmpty() && !planned) plan = plan.with(new Change.LbConfigRepaired(settings));
            } else if (want != null) {
                balancer.attachIn(desired.withDirector(null), want, desired.sizes());
            }
            done[0] = plan;
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
        Director d = desired.director();
        if (d != null && d.egress() != null) {
            Target egress = new Target(d.egress(), d.netns());
            Netns.run(egress.netns(), () -> XdpAttachments.ifindex(egress));
        }
    }
}
