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
 * Runs one checker per (VIP, real) of every checked VIP, all on one {@link ProbeLoop}: probes
 * are non-blocking, so a slow or silent real never delays the others, and each check is a few
 * system calls. Each probe socket carries a mark of its own; {@link HealthProgram} tells the
 * tc program which real and encapsulation that mark means. A checker's first check comes at a
 * random point of its first interval, so a thousand reals are not all checked in the same
 * millisecond of every interval.
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

    private final HealthProgram tunnel;
    private final Transitions transitions;
    private final Map<Target, Checker> running = new HashMap<>();
    private final Set<Integer> marksInUse = new HashSet<>();

    private ProbeLoop loop; // null until the first check; in the namespace probes are made in

    HealthChecks(HealthProgram tunnel, Transitions transitions) {
        this.tunnel = tunnel;
        this.transitions = transitions;
    }

    /**
     * Probes from now on go out of network namespace netns (the director's; null: the agent's
     * own). A change moves every checker to a new loop there, each keeping its state.
     */
    synchronized void useNetns(String netns) {
        if (loop != null && java.util.Objects.equals(loop.netns(), netns)) return;
        ProbeLoop old = loop;
        loop = new ProbeLoop(netns);
        for (var e : running.entrySet()) {
            Checker c = e.getValue();
            c.stop();
            Checker moved = new Checker(c.target, c.check, c.encap, c.mark, new RealHealth(c.state, Instant.now(), c.lastError));
            e.setValue(moved);
            moved.start();
        }
        if (old != null) old.close();
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
        if (loop == null && !want.isEmpty()) loop = new ProbeLoop(null);
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
        if (loop != null) loop.close();
        loop = null;
    }

    /** One (VIP, real): its rise/fall rule and its next check, on loop (its fields too). */
    private final class Checker {
        final Target target;
        final HealthCheck check;
        final Encap encap;
        final int mark;
        final RiseFall rule;
        private final ProbeLoop on;
        private volatile boolean stopped;
        private volatile double lastSeconds = Double.NaN;
        private volatile long probes, failures;
        private volatile HealthState state;
        private volatile String lastError;
        private long startedAt; // of the check in flight, or the last one

        Checker(Target target, HealthCheck check, Encap encap, int mark, RealHealth start) {
            this.target = target;
            this.check = check;
            this.encap = encap;
            this.mark = mark;
            this.rule = new RiseFall(check.rise(), check.fall(), start.state());
            this.state = start.state();
            this.lastError = start.lastError();
            this.on = loop;
        }

        void start() {
            long interval = check.intervalMs() * 1_000_000L;
            long first = System.nanoTime() + java.util.concurrent.ThreadLocalRandom.current().nextLong(interval);
            on.submit(() -> on.schedule(first, this::probe));
        }

        /** Its in-flight check, if any, still ends (at its deadline at the latest); its result is dropped. */
        void stop() {
            stopped = true;
        }

        Sample sample() {
            return new Sample(state, lastSeconds, probes, failures);
        }

        private void probe() {
            if (stopped) return;
            startedAt = System.nanoTime();
            Probe.start(on, check, target.vip(), mark, this::result);
        }

        private void result(Probe.Result r) {
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
            // the next check one interval after this one started; one that overran starts now
            long next = startedAt + check.intervalMs() * 1_000_000L;
            long now = System.nanoTime();
            on.schedule(next - now > 0 ? next : now, this::probe);
        }
    }
}
