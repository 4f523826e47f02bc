package io.xdplb.agent;

import io.xdplb.director.HealthProgram;

import io.xdplb.health.HealthState;
import io.xdplb.health.HealthView;
import io.xdplb.health.RealHealth;
import io.xdplb.health.RiseFall;
import io.xdplb.model.Encap;
import io.xdplb.model.HealthCheck;
import io.xdplb.model.Real;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one checker per (VIP, real) of every checked VIP, each on its own virtual thread, so a
 * slow or silent real never delays the others. Each probe socket carries a mark of its own;
 * {@link HealthProgram} tells the tc program which real and encapsulation that mark means.
 */
final class HealthChecks implements AutoCloseable {
    /** One checked real of one VIP. */
    record Target(Vip vip, InetAddress real) {}

    /** Told when a checker's rise/fall rule moves its real to another state. */
    interface Transitions {
        void changed(Target target, RealHealth health, String reason);
    }

    /** What the metrics read of one checker. */
    record Sample(HealthState state, double lastSeconds, long probes, long failures) {}

    private final Probe probe;
    private final HealthProgram tunnel;
    private final Transitions transitions;
    private final Map<Target, Checker> running = new HashMap<>();
    private final Set<Integer> marksInUse = new HashSet<>();

    HealthChecks(Probe probe, HealthProgram tunnel, Transitions transitions) {
        this.probe = probe;
        this.tunnel = tunnel;
        this.transitions = transitions;
    }

    /**
     * Checks exactly the reals of vips that have a check: new ones start from what known says
     * (the previous agent's results carry over a restart), changed checks restart keeping the
     * state, removed ones stop. Returns the targets now checked.
     */
    synchronized Set<Target> update(List<VipConfig> vips, HealthView known) {
        Map<Target, VipConfig> want = new HashMap<>();
        for (VipConfig v : vips) {
            if (!v.check().enabled()) continue;
            for (Real r : v.reals()) want.put(new Target(v.vip(), r.address()), v);
        }
        for (var it = running.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            VipConfig v = want.get(e.getKey());
            Checker c = e.getValue();
            if (v == null || !v.check().equals(c.check) || v.encap() != c.encap) {
                c.stop();
                tunnel.remove(c.mark);
                marksInUse.remove(c.mark);
                it.remove();
            }
        }
        for (var e : want.entrySet()) {
            if (running.containsKey(e.getKey())) continue;
            VipConfig v = e.getValue();
            int mark = freeMark();
            tunnel.put(mark, e.getKey().real(), v.encap(), v.flagMask());
            RealHealth start = known.of(e.getKey().vip(), e.getKey().real());
            Checker c = new Checker(e.getKey(), v.check(), v.encap(), mark, start);
            running.put(e.getKey(), c);
            c.start();
        }
        return new HashSet<>(running.keySet());
    }

    private int freeMark() {
        for (int i = 0; i < HealthProgram.MAX_TARGETS; i++) {
            if (marksInUse.add(i)) return HealthProgram.MARK_BASE | i;
        }
        throw new IllegalStateException("more than " + HealthProgram.MAX_TARGETS + " checked reals");
    }

    /** Whether target has a checker now. */
    synchronized boolean isChecked(Target target) {
        return running.containsKey(target);
    }

    synchronized Map<Target, Sample> samples() {
        Map<Target, Sample> out = new HashMap<>();
        running.forEach((t, c) -> out.put(t, c.sample()));
        return out;
    }

    @Override
    public synchronized void close() {
        for (Checker c : running.values()) c.stop();
        running.clear();
    }

    private final class Checker {
        final Target target;
        final HealthCheck check;
        final Encap encap;
        final int mark;
        final RiseFall rule;
        private volatile boolean stopped;
        private volatile double lastSeconds = Double.NaN;
        private volatile long probes, failures;
        private volatile HealthState state;
        private String lastError;
        private Thread thread;

        Checker(Target target, HealthCheck check, Encap encap, int mark, RealHealth start) {
            this.target = target;
            this.check = check;
            this.encap = encap;
            this.mark = mark;
            this.rule = new RiseFall(check.rise(), check.fall(), start.state());
            this.state = start.state();
            this.lastError = start.lastError();
        }

        void start() {
            thread = Thread.ofVirtual().name("check " + target.vip() + " " + target.real().getHostAddress()).start(this::loop);
        }

        void stop() {
            stopped = true;
            if (thread != null) thread.interrupt();
        }

        Sample sample() {
            return new Sample(state, lastSeconds, probes, failures);
        }

        private void loop() {
            long next = System.nanoTime();
            while (!stopped) {
                Probe.Result r = probe.run(check, target.vip(), mark);
                if (stopped) return;
                probes++;
                if (r.passed()) lastSeconds = r.seconds();
                else {
                    failures++;
                    lastError = r.error();
                }
                HealthState was = state;
                HealthState changed = rule.record(r.passed());
                if (changed != null) {
                    state = changed;
                    String reason = (r.passed() ? check.rise() + " checks passed" : r.error() + " (" + check.fall() + " checks failed)")
                            + (was == HealthState.UNCHECKED ? "" : changed == HealthState.DOWN ? " - no new flows" : " - back in the ring");
                    transitions.changed(target, new RealHealth(changed, Instant.now(), lastError), reason);
                }
                next += check.intervalMs() * 1_000_000L;
                long wait = next - System.nanoTime();
                if (wait < 0) {
                    next = System.nanoTime(); // a check that overran: start the next now, do not pile up
                    continue;
                }
                try {
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
