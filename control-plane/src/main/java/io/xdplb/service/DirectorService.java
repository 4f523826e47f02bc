package io.xdplb.service;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.director.Balancer;
import io.xdplb.director.BalancerMaps;
import io.xdplb.director.RingFingerprint;
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
        this.balancer = new Balancer(instance.layout(), instance.store());
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

    /** Detaches the director (or removes what a killed attach or a deleted interface left); says which. */
    public Balancer.Detached detach(Target target) {
        return balancer.detach(target);
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

    /** What {@link #apply} would do, compared with what really exists. */
    public Plan plan(Config desired) {
        return new Reconciler(instance.layout(), instance.store()).plan(desired);
    }

    /** Makes the instance match desired; returns the plan carried out. */
    public Plan apply(Config desired) {
        return new Reconciler(instance.layout(), instance.store()).apply(desired);
    }
}
