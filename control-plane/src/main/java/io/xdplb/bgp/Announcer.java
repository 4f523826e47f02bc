package io.xdplb.bgp;

import io.xdplb.model.Bgp;
import io.xdplb.model.Config;
import io.xdplb.model.IpAddresses;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the agent calls to keep the routers' view in line with this director: a VIP's address
 * is announced while the balancer is attached and at least one VIP at that address is served
 * (at least its minHealthy reals up), and withdrawn otherwise; everything is withdrawn when the
 * director is detached, when the bgp section goes, and on {@link #close}.
 *
 * <p>Why "at least one VIP at the address": a BGP route carries an address, not a port, so
 * 203.0.113.10:80 and :443 share one route. Withdrawing it because one port has no reals
 * would take the other port down with it on every director whose view is the same.
 */
public final class Announcer implements AutoCloseable {
    private final Speaker speaker;

    public Announcer(String instance, Path runDir) {
        this.speaker = new Speaker(instance, runDir);
    }

    public Speaker speaker() {
        return speaker;
    }

    /** Whether a VIP is served: attached, and at least minHealthy of its reals up. */
    public static boolean served(VipConfig vip, boolean attached, int realsUp) {
        return attached && realsUp >= vip.minHealthy();
    }

    /** Reals that take new flows by the configuration alone (weight above 0), for a director without health checks. */
    public static int realsUpByWeight(VipConfig vip) {
        return (int) vip.reals().stream().filter(r -> r.weight() > 0).count();
    }

    /** The served state of every VIP by configuration alone: attached and enough reals with weight above 0. */
    public static Map<Vip, Boolean> servedByWeight(Config c, boolean attached) {
        Map<Vip, Boolean> out = new java.util.TreeMap<>();
        for (VipConfig v : c.vips()) out.put(v.vip(), served(v, attached, realsUpByWeight(v)));
        return out;
    }

    /** The host routes to announce: the addresses of the served VIPs, none when detached. */
    public static Set<InetAddress> routes(Config c, Map<Vip, Boolean> served) {
        Set<InetAddress> out = new HashSet<>();
        if (c.director() == null) return out;
        for (VipConfig v : c.vips()) if (Boolean.TRUE.equals(served.get(v.vip()))) out.add(v.vip().address());
        return out;
    }

    /**
     * Brings the speaker to this configuration and served state: started, reconfigured or
     * stopped (no bgp section, or no director: nothing to announce from).
     */
    public synchronized void update(Config c, Map<Vip, Boolean> served) {
        Bgp bgp = c.bgp();
        if (bgp == null || c.director() == null) {
            speaker.stop();
            return;
        }
        speaker.announce(bgp, c.director().netns(), routes(c, served));
    }

    /** Withdraws everything and stops the speaker. */
    @Override
    public synchronized void close() {
        speaker.stop();
    }

    /** A VIP's announcement as `xdplb status` shows it. */
    public static String announcement(Vip vip, Bgp bgp, SpeakerState state) {
        if (bgp == null) return "-";
        if (!state.running()) return "withdrawn (no speaker)";
        InetAddress a = vip.address();
        if (!state.offered().contains(a)) return "withdrawn";
        boolean v6 = IpAddresses.isIpv6(a);
        List<Bgp.Peer> family = bgp.peers().stream().filter(p -> p.ipv6() == v6).toList();
        long up = family.stream().map(p -> state.session(BirdConfig.protocolName(p)))
                .filter(s -> s != null && s.established()).count();
        if (family.isEmpty()) return "not announced (no " + IpAddresses.familyName(a) + " peer)";
        if (up == 0) return "not announced (no session up)";
        return "announced (" + up + "/" + family.size() + " peers)";
    }
}
