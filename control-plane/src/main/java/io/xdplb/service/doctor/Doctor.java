package io.xdplb.service.doctor;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.director.StatNames;
import io.xdplb.model.Config;
import io.xdplb.realserver.RealServerState;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * `xdplb doctor`: every known way a director (or one of the real servers this host set up)
 * silently loses packets, checked read-only. Counters that must not grow are read twice,
 * {@code interval} apart; everything else is looked at once, in between.
 */
public final class Doctor {
    private Doctor() {}

    /** The findings, in check order, and the interval over which growth was measured. */
    public record Report(String instance, double intervalSeconds, List<Check> checks) {
        public boolean failed() {
            return checks.stream().anyMatch(c -> c.status() == Check.Status.FAIL);
        }

        public long count(Check.Status status) {
            return checks.stream().filter(c -> c.status() == status).count();
        }
    }

    /** configFile: the instance's configuration file, named in the fixes that re-apply it. */
    public static Report run(InstanceLayout layout, Config config, java.nio.file.Path configFile, double intervalSeconds) {
        Scene s = Scene.read(layout, config, configFile);
        List<String> lbNames = StatNames.balancer();
        List<String> decapNames = StatNames.decap();
        long start = System.nanoTime();
        Samples before = Samples.take(s, lbNames, decapNames);

        List<Check> out = new ArrayList<>();
        out.addAll(StateChecks.attachments(s));
        out.addAll(StateChecks.orphans(s));
        out.addAll(StateChecks.records(s));
        out.add(DirectorChecks.balancer(s));
        out.add(DirectorChecks.jit());
        boolean director = s.director() != null && s.balancerLoaded() && Host.exists(s.director().netns());
        if (director) {
            out.add(DirectorChecks.xdpPeer(s));
            out.addAll(DirectorChecks.txChecksum(s));
            out.add(DirectorChecks.gatewayMac(s));
            out.addAll(DirectorChecks.mtu(s));
            out.addAll(DirectorChecks.rings(s));
        }
        for (Host.If i : ourInterfaces(s)) out.add(DirectorChecks.tcFilters(i));
        List<Firewall.Packet> packets = Firewall.packets(s);
        if (!packets.isEmpty()) {
            for (String ns : pathNamespaces(s)) out.addAll(Firewall.check(s, ns, packets));
        }

        sleepUntil(start + (long) (intervalSeconds * 1e9));
        Samples after = Samples.take(s, lbNames, decapNames);
        if (director) {
            out.addAll(DirectorChecks.xdpErrors(s, before, after, intervalSeconds));
        }
        out.addAll(DirectorChecks.drops(s, before, after, intervalSeconds));
        for (RealServerState r : s.realservers()) {
            if (!StateChecks.stale(s, r)) {
                out.addAll(RealServerChecks.of(s, r, before, after, intervalSeconds));
            }
        }
        return new Report(layout.instance(), intervalSeconds, out);
    }

    /** The interfaces xdplb attached to (live ones). */
    private static Set<Host.If> ourInterfaces(Scene s) {
        Set<Host.If> out = new LinkedHashSet<>();
        for (var a : s.attachments()) {
            if (a.live() && !a.program().equals("pass")) out.add(new Host.If(a.netns(), a.targetNow().iface()));
        }
        return out;
    }

    /**
     * The namespaces of this host the packets cross: the director's, the reals', and those
     * holding the other ends of their veths (a router in a test network).
     */
    private static List<String> pathNamespaces(Scene s) {
        Set<Host.If> ends = new LinkedHashSet<>();
        if (s.director() != null) {
            ends.add(s.ingress());
            ends.add(s.egress());
        }
        for (RealServerState r : s.realservers()) ends.add(new Host.If(r.netns(), r.iface()));
        List<String> out = new ArrayList<>();
        for (Host.If e : ends) {
            if (!Host.exists(e.netns())) continue;
            if (!out.contains(e.netns())) out.add(e.netns());
            Host.If peer = Host.vethPeer(e.netns(), e.iface());
            if (peer != null && !out.contains(peer.netns())) out.add(peer.netns());
        }
        return out;
    }

    private static void sleepUntil(long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) return;
        try {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
