package io.xdplb.health;

import io.xdplb.model.Vip;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;

/**
 * Health of every checked real, by VIP and address: what the agent publishes and what the CLI
 * and the metrics read. A real that is not in it is unchecked.
 *
 * @param updated when the agent wrote it (null: no agent has written one)
 */
public record HealthView(Map<Vip, Map<InetAddress, RealHealth>> vips, Instant updated) {
    public static final HealthView NONE = new HealthView(Map.of(), null);

    public HealthView {
        vips = Map.copyOf(vips);
    }

    public RealHealth of(Vip vip, InetAddress real) {
        Map<InetAddress, RealHealth> m = vips.get(vip);
        RealHealth h = m == null ? null : m.get(real);
        return h == null ? RealHealth.UNCHECKED : h;
    }

    public boolean isDown(Vip vip, InetAddress real) {
        return of(vip, real).state() == HealthState.DOWN;
    }
}
