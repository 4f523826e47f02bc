package io.xdplb.health;

import io.xdplb.model.Config;
import io.xdplb.model.Real;
import io.xdplb.model.VipConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Effective weights: the configuration as the maps hold it. A real that its checks found down
 * gets weight 0 (no new flows; its ring slots go to the others), unless every real of the VIP
 * that has weight is down: then all keep their weights (fail open: a dead pool is better served
 * by trying than by dropping everything). The file's desired weights are never changed.
 */
public final class Effective {
    private Effective() {}

    public static Config of(Config c, HealthView health) {
        List<VipConfig> vips = new ArrayList<>(c.vips().size());
        for (VipConfig v : c.vips()) vips.add(of(v, health));
        return new Config(c.sizes(), c.director(), vips, c.realservers(), c.bgp());
    }

    public static VipConfig of(VipConfig v, HealthView health) {
        if (!v.check().enabled() || failOpen(v, health)) return v;
        List<Real> reals = new ArrayList<>(v.reals().size());
        boolean changed = false;
        for (Real r : v.reals()) {
            if (r.weight() > 0 && health.isDown(v.vip(), r.address())) {
                reals.add(new Real(r.address(), 0));
                changed = true;
            } else {
                reals.add(r);
            }
        }
        return changed ? v.withReals(reals) : v;
    }

    /** Every real with weight is down (and there is one): forward to all of them anyway. */
    public static boolean failOpen(VipConfig v, HealthView health) {
        if (!v.check().enabled()) return false;
        boolean any = false;
        for (Real r : v.reals()) {
            if (r.weight() == 0) continue;
            if (!health.isDown(v.vip(), r.address())) return false;
            any = true;
        }
        return any;
    }

    /** Reals that take new flows: weight above 0 and not down (all of them when failing open). */
    public static int serving(VipConfig v, HealthView health) {
        int n = 0;
        for (Real r : of(v, health).reals()) if (r.weight() > 0) n++;
        return n;
    }
}
