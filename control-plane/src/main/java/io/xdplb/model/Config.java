package io.xdplb.model;

import io.xdplb.Messages;
import io.xdplb.UserError;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The whole desired state of one instance: what `xdplb export` prints and `xdplb apply` takes.
 *
 * <p>The constructor checks everything that involves more than one value (duplicates, capacity,
 * interface clashes) in the order the lists are given, so a file's errors name its own indices,
 * and then sorts VIPs and real-server set-ups: two equal configurations are equal records and
 * are written byte for byte the same.
 *
 * @param director   the director's attachment, or null when it is not attached
 * @param realservers real-server set-ups of this host, sorted by namespace, then interface
 * @param bgp        how `xdplb agent` announces the VIPs over BGP, or null: it does not
 */
public record Config(Sizes sizes, Director director, List<VipConfig> vips, List<RealServer> realservers, Bgp bgp) {
    /** Version of the file format; written as "version" and the only one read. */
    public static final int VERSION = 1;

    public static final Config EMPTY = new Config(Sizes.DEFAULT, null, List.of(), List.of(), null);

    static final Comparator<RealServer> REALSERVER_ORDER = Comparator
            .comparing(RealServer::netns, Comparator.nullsFirst(Comparator.<String>naturalOrder()))
            .thenComparing(RealServer::iface);

    public Config {
        Objects.requireNonNull(sizes, "sizes");
        checkVips(sizes, vips);
        checkRealsAgainstDirector(director, vips);
        checkRealServers(director, realservers);
        List<VipConfig> v = new ArrayList<>(vips);
        v.sort(Comparator.comparing(VipConfig::vip));
        vips = List.copyOf(v);
        List<RealServer> r = new ArrayList<>(realservers);
        r.sort(REALSERVER_ORDER);
        realservers = List.copyOf(r);
    }

    private static void checkVips(Sizes sizes, List<VipConfig> vips) {
        Map<Vip, Integer> firstIndex = new HashMap<>(); // a map, not pairs: a file may hold 65536 VIPs
        for (int i = 0; i < vips.size(); i++) {
            Integer k = firstIndex.putIfAbsent(vips.get(i).vip(), i);
            if (k != null) {
                throw new Invalid("vips[" + i + "].vip", Messages.quote(vips.get(i).vip().toString()),
                        "VIP " + vips.get(i).vip() + " is listed twice (also vips[" + k + "])");
            }
        }
        if (vips.size() > sizes.maxVips()) {
            throw new Invalid("vips", null, vips.size() + " VIPs, more than sizes.maxVips = " + sizes.maxVips()
                    + "; raise sizes.maxVips or remove VIPs");
        }
        int reals = distinctReals(vips).size();
        if (reals > sizes.realCapacity()) {
            throw new Invalid("vips", null, reals + " distinct real addresses, more than sizes.maxReals - 1 = "
                    + sizes.realCapacity() + " (real id 0 is reserved); raise sizes.maxReals or remove reals");
        }
    }

    /** A real at the director's own tunnel source address would have the director tunnel to itself. */
    private static void checkRealsAgainstDirector(Director director, List<VipConfig> vips) {
        if (director == null) return;
        for (int i = 0; i < vips.size(); i++) {
            List<Real> reals = vips.get(i).reals();
            for (int j = 0; j < reals.size(); j++) {
                String p = directorAddressProblem(director, reals.get(j).address());
                if (p != null) {
                    throw new Invalid("vips[" + i + "].reals[" + j + "].address",
                            Messages.quote(IpAddresses.format(reals.get(j).address())), p);
                }
            }
        }
    }

    private static String directorAddressProblem(Director director, InetAddress a) {
        String which = a.equals(director.src4()) ? "src4" : a.equals(director.src6()) ? "src6" : null;
        return which == null ? null : "a real cannot be the director's own address (director." + which
                + "): the tunnels would come back to the director";
    }

    private static void checkRealServers(Director director, List<RealServer> realservers) {
        for (int i = 0; i < realservers.size(); i++) {
            RealServer rs = realservers.get(i);
            for (int k = 0; k < i; k++) {
                if (realservers.get(k).sameInterface(rs.iface(), rs.netns())) {
                    throw new Invalid("realservers[" + i + "].iface", Messages.quote(rs.iface()),
                            "interface " + rs.where() + " is listed twice (also realservers[" + k + "])");
                }
            }
            if (director != null && director.sameInterface(rs.iface(), rs.netns())) {
                throw new Invalid("realservers[" + i + "].iface", Messages.quote(rs.iface()),
                        "interface " + rs.where() + " is the director's interface; an interface has one XDP program");
            }
        }
    }

    /** Every real address used by some VIP (a real in several VIPs is one real, with one id). */
    public static Set<InetAddress> distinctReals(List<VipConfig> vips) {
        Set<InetAddress> all = new HashSet<>();
        for (VipConfig v : vips) for (Real r : v.reals()) all.add(r.address());
        return all;
    }

    public Set<InetAddress> distinctReals() {
        return distinctReals(vips);
    }

    public Optional<VipConfig> vip(Vip vip) {
        return vips.stream().filter(v -> v.vip().equals(vip)).findFirst();
    }

    /** The VIP's configuration; a {@link UserError} telling how to add it when it is not there. */
    public VipConfig requireVip(Vip vip) {
        return vip(vip).orElseThrow(() -> new UserError("VIP " + vip + " is not configured (add it with xdplb vip add "
                + vip + ")"));
    }

    // ---- Transitions used by the CLI; each returns a new, checked Config. ----

    public Config withSizes(Sizes newSizes) {
        return new Config(newSizes, director, vips, realservers, bgp);
    }

    /** Attaches (or re-configures) the director; null detaches it. */
    public Config withDirector(Director newDirector) {
        if (newDirector != null) {
            for (RealServer rs : realservers) {
                if (newDirector.sameInterface(rs.iface(), rs.netns())) {
                    throw new UserError("interface " + rs.where() + " has a real-server set-up; tear it down first");
                }
            }
        }
        return new Config(sizes, newDirector, vips, realservers, bgp);
    }

    /** Adds the VIP, or replaces the one with the same address, port and protocol. */
    public Config withVip(VipConfig vip) {
        boolean isNew = vip(vip.vip()).isEmpty();
        if (isNew && vips.size() >= sizes.maxVips()) {
            throw new UserError("cannot add VIP " + vip.vip() + ": all " + sizes.maxVips()
                    + " VIP slots are used (sizes.maxVips); delete a VIP or raise sizes.maxVips"
                    + " (xdplb detach, then xdplb attach --max-vips N)");
        }
        List<VipConfig> next = new ArrayList<>(vips);
        next.removeIf(v -> v.vip().equals(vip.vip()));
        next.add(vip);
        Set<InetAddress> reals = distinctReals(next);
        if (reals.size() > sizes.realCapacity()) {
            Set<InetAddress> added = new HashSet<>(reals);
            added.removeAll(distinctReals());
            throw new UserError("cannot add real " + added.stream().map(IpAddresses::format).sorted().findFirst().orElse("")
                    + ": all " + sizes.realCapacity() + " real ids are used (sizes.maxReals - 1); remove a real or raise sizes.maxReals"
                    + " (xdplb detach, then xdplb attach --max-reals N)");
        }
        return new Config(sizes, director, next, realservers, bgp);
    }

    public Config withoutVip(Vip vip) {
        requireVip(vip);
        List<VipConfig> next = new ArrayList<>(vips);
        next.removeIf(v -> v.vip().equals(vip));
        return new Config(sizes, director, next, realservers, bgp);
    }

    /** Adds the real to the VIP, or sets its weight if it is already there. */
    public Config withReal(Vip vip, Real real) {
        String p = director == null ? null : directorAddressProblem(director, real.address());
        if (p != null) throw new UserError("bad real " + IpAddresses.format(real.address()) + " for VIP " + vip + ": " + p);
        return withVip(requireVip(vip).withReal(real));
    }

    public Config withoutReal(Vip vip, InetAddress address) {
        return withVip(requireVip(vip).withoutReal(address));
    }

    /** Adds the set-up, or replaces the one on the same interface and namespace. */
    public Config withRealServer(RealServer rs) {
        if (director != null && director.sameInterface(rs.iface(), rs.netns())) {
            throw new UserError("interface " + rs.where() + " has the director attached; detach it first");
        }
        return new Config(sizes, director, vips,
                replaced(realservers, rs, x -> x.sameInterface(rs.iface(), rs.netns())), bgp);
    }

    public Config withoutRealServer(String iface, String netns) {
        List<RealServer> next = new ArrayList<>(realservers);
        if (!next.removeIf(x -> x.sameInterface(iface, netns))) {
            String where = netns == null ? iface : iface + " (netns " + netns + ")";
            throw new UserError("no real-server set-up on interface " + where);
        }
        return new Config(sizes, director, vips, next, bgp);
    }

    /** Sets (or, with null, removes) the BGP settings. */
    public Config withBgp(Bgp newBgp) {
        return new Config(sizes, director, vips, realservers, newBgp);
    }

    private static <T> List<T> replaced(List<T> list, T item, Predicate<T> same) {
        List<T> next = new ArrayList<>(list);
        next.removeIf(same);
        next.add(item);
        return next;
    }
}
