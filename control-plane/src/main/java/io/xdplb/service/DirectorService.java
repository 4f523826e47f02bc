package io.xdplb.service;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.director.Balancer;
import io.xdplb.director.BalancerMaps;
import io.xdplb.director.HealthProgram;
import io.xdplb.director.MapSync;
import io.xdplb.director.RingFingerprint;
import io.xdplb.health.Effective;
import io.xdplb.health.HealthView;
import io.xdplb.health.RealHealth;
import io.xdplb.model.Encap;
import io.xdplb.model.HealthCheck;
import io.xdplb.model.Proto;
import io.xdplb.model.VipFlag;
import io.xdplb.director.Reconciler;
import io.xdplb.model.Config;
import io.xdplb.model.Director;
import io.xdplb.model.IpAddresses;
import io.xdplb.model.Plan;
import io.xdplb.model.Real;
import io.xdplb.model.Sizes;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The director of one instance as operations: attach, detach, VIPs, reals, plan and apply.
 * The CLI and the agent both call these; they return values (the new configuration, what
 * changed) and leave the wording of tables and JSON to the front-end. Each operation is one
 * configuration transaction: checked first, maps brought along, then the file written.
 */
public final class DirectorService {
    private final Instance instance;
    private final Balancer balancer;

    DirectorService(Instance instance) {
        this.instance = instance;
        // The maps always get effective weights: reals the agent found down at weight 0.
        this.balancer = new Balancer(instance.layout(), instance.store(), c -> Effective.of(c, health()));
    }

    /** The agent's last health results (unchecked everywhere when no agent has run since boot). */
    public HealthView health() {
        return instance.healthFile().read();
    }

    /** The configuration file as it is now (no lock: the file is always whole). */
    public Config config() {
        return instance.store().load();
    }

    public boolean isAttached() {
        return balancer.isAttached();
    }

    /** Loads and attaches the director with these sizes; every VIP of the file is programmed. */
    public Config attach(Director director, Sizes sizes) {
        return balancer.attach(director, sizes);
    }

    /**
     * Detaches the director (or removes what a killed attach or a deleted interface left); says
     * which. The health checker's egress program goes with it.
     */
    public Balancer.Detached detach(Target target) {
        Balancer.Detached d = balancer.detach(target);
        HealthProgram.remove(instance.layout());
        return d;
    }

    /** Adds a VIP that is not there yet. */
    public VipConfig addVip(VipConfig vip) {
        balancer.change(c -> {
            if (c.vip(vip.vip()).isPresent()) {
                throw new UserError("VIP " + vip.vip() + " already exists; `xdplb vip del " + vip.vip()
                        + "` first, or change it with `xdplb apply`");
            }
            return c.withVip(vip);
        });
        return vip;
    }

    public void deleteVip(Vip vip) {
        balancer.change(c -> c.withoutVip(vip));
    }

    public List<VipConfig> vips() {
        return config().vips();
    }

    /** The VIP's configuration; a UserError naming how to add it when it is not there. */
    public VipConfig vip(Vip vip) {
        return config().requireVip(vip);
    }

    /**
     * What {@link #setReal} did: previousWeight is null when the real was added.
     */
    public record RealSet(Vip vip, Real real, Integer previousWeight) {
        public boolean added() {
            return previousWeight == null;
        }
    }

    /**
     * Adds a real (weight null: the default) or, with a weight, changes the weight of one the
     * VIP already has. Adding an existing real without a weight is refused.
     */
    public RealSet setReal(Vip vip, InetAddress address, Integer weight) {
        checkWeight(weight);
        Real r = new Real(address, weight == null ? Real.DEFAULT_WEIGHT : weight);
        AtomicReference<RealSet> done = new AtomicReference<>();
        balancer.change(c -> {
            VipConfig vc = c.requireVip(vip);
            var existing = vc.real(address);
            if (existing.isPresent() && weight == null) {
                throw new UserError("real " + IpAddresses.format(address) + " is already in VIP " + vip + " (weight "
                        + existing.get().weight() + "); give --weight N to change its weight");
            }
            done.set(new RealSet(vip, r, existing.map(Real::weight).orElse(null)));
            return c.withReal(vip, r);
        });
        return done.get();
    }

    /** A weight as an operator gives it (null: not given); a UserError when out of range. */
    public static void checkWeight(Integer weight) {
        if (weight != null && (weight < 0 || weight > Real.MAX_WEIGHT)) {
            throw new UserError("bad --weight " + weight + ": must be 0.." + Real.MAX_WEIGHT + " (0 drains the real)");
        }
    }

    public void deleteReal(Vip vip, InetAddress address) {
        balancer.change(c -> {
            if (c.requireVip(vip).real(address).isEmpty()) {
                throw new UserError("VIP " + vip + " has no real " + IpAddresses.format(address)
                        + " (`xdplb real list " + vip + "` shows its reals)");
            }
            return c.withoutReal(vip, address);
        });
    }

    /** Each VIP's live-ring fingerprint when the balancer is attached (directors that agree show the same), else none. */
    public Map<Vip, String> ringFingerprints() {
        if (!isAttached()) return Map.of();
        try (BalancerMaps maps = BalancerMaps.pinned(instance.layout())) {
            return RingFingerprint.of(maps);
        }
    }

    /** Checks the VIP's reals another way (kind none: not at all). */
    public VipConfig setCheck(Vip vip, HealthCheck check) {
        Config c = balancer.change(cur -> cur.withVip(cur.requireVip(vip).withCheck(check)));
        return c.requireVip(vip);
    }

    /** One real of a VIP as `real list` shows it: desired weight, the weight in the maps, and health. */
    public record RealView(Real real, int effectiveWeight, RealHealth health) {}

    /** The VIP's reals with their health; failOpen says every weighted real is down and all are kept. */
    public record RealsView(VipConfig vip, List<RealView> reals, boolean failOpen) {}

    public RealsView reals(Vip vip) {
        VipConfig v = vip(vip);
        HealthView h = health();
        VipConfig eff = Effective.of(v, h);
        List<RealView> out = new ArrayList<>();
        for (Real r : v.reals()) {
            out.add(new RealView(r, eff.real(r.address()).map(Real::weight).orElse(r.weight()), h.of(vip, r.address())));
        }
        return new RealsView(v, out, Effective.failOpen(v, h));
    }

    /**
     * Brings the maps of every VIP from what `before` would have put there to what the file and
     * health say now, inside a configuration transaction (the agent, after the file changed
     * under it). A no-op for VIPs that did not change.
     */
    public Config syncMaps(Config before) {
        return instance.store().update(c -> {
            balancer.changeIn(before, c);
            return c;
        });
    }

    /**
     * Publishes new health results and moves the maps from the old effective weights to the
     * new ones, in one configuration transaction (so no CLI change runs between the two).
     */
    public void publishHealth(HealthView before, HealthView after) {
        instance.store().update(c -> {
            if (isAttached()) {
                try (BalancerMaps maps = BalancerMaps.pinned(instance.layout())) {
                    new MapSync(maps).apply(Effective.of(c, before), Effective.of(c, after));
                }
            }
            instance.healthFile().write(after);
            return c;
        });
    }

    /**
     * Makes the live maps hold exactly what the file and health say, whatever they held (VIPs
     * the maps have and the file does not included): the agent's start, and SIGHUP, so that
     * hand edits made while no agent ran are applied too. Established flows keep their real.
     */
    public Config resyncMaps() {
        return instance.store().update(c -> {
            if (isAttached()) balancer.reconcileIn(c);
            return c;
        });
    }

    /** Makes the machine match the file as it is now (director, real-server set-ups, VIPs); never rewrites the file. */
    public Plan restore() {
        return new Reconciler(instance.layout(), instance.store(), balancer).restore();
    }

    /** What {@link #apply} would do, compared with what really exists. */
    public Plan plan(Config desired) {
        return new Reconciler(instance.layout(), instance.store(), balancer).plan(desired);
    }

    /** Makes the instance match desired; returns the plan carried out. */
    public Plan apply(Config desired) {
        return new Reconciler(instance.layout(), instance.store(), balancer).apply(desired);
    }
}
