package io.xdplb.model;

import io.xdplb.Messages;
import io.xdplb.UserError;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One VIP's desired state. Reals are validated in the order given (so errors can name
 * "reals[2]") and then kept sorted by address, which makes equal configurations equal records.
 *
 * @param minHealthy how many of its reals must be up (healthy, weight above 0) for the VIP to
 *                   count as served, which is when `xdplb agent` announces its address over BGP
 * @param check      how `xdplb agent` health-checks the reals ({@link HealthCheck#NONE}: not at all)
 */
public record VipConfig(Vip vip, Encap encap, Set<VipFlag> flags, List<Real> reals, int minHealthy, HealthCheck check) {
    public static final int DEFAULT_MIN_HEALTHY = 1;

    public VipConfig {
        if (minHealthy < 0 || minHealthy > 65535) throw new Invalid("minHealthy", "" + minHealthy, "must be 0..65535");
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(encap, "encap");
        if (check == null) check = HealthCheck.NONE;
        check.checkFits(vip);
        EnumSet<VipFlag> f = EnumSet.noneOf(VipFlag.class);
        f.addAll(flags);
        flags = Collections.unmodifiableSet(f);
        Map<InetAddress, Integer> firstIndex = new HashMap<>();
        for (int j = 0; j < reals.size(); j++) {
            InetAddress a = reals.get(j).address();
            Integer k = firstIndex.putIfAbsent(a, j);
            if (k != null) {
                throw new Invalid("reals[" + j + "].address", Messages.quote(IpAddresses.format(a)),
                        "real " + IpAddresses.format(a) + " is listed twice in VIP " + vip + " (also reals[" + k + "])");
            }
            String p = a.equals(vip.address()) ? ownAddress(vip) : encap.problem(vip, a);
            if (p != null) throw new Invalid("reals[" + j + "].address", Messages.quote(IpAddresses.format(a)), p);
        }
        List<Real> sorted = new ArrayList<>(reals);
        sorted.sort(Real.ORDER);
        reals = List.copyOf(sorted);
    }

    /** A VIP with these reals, the default min-healthy and no health check. */
    public VipConfig(Vip vip, Encap encap, Set<VipFlag> flags, List<Real> reals) {
        this(vip, encap, flags, reals, DEFAULT_MIN_HEALTHY, HealthCheck.NONE);
    }

    /** A VIP that is not health-checked. */
    public VipConfig(Vip vip, Encap encap, Set<VipFlag> flags, List<Real> reals, int minHealthy) {
        this(vip, encap, flags, reals, minHealthy, HealthCheck.NONE);
    }

    /** A VIP without reals. */
    public static VipConfig of(Vip vip, Encap encap, Collection<VipFlag> flags) {
        return new VipConfig(vip, encap, Set.copyOf(flags), List.of());
    }

    /** vip_meta.flags. */
    public int flagMask() {
        return VipFlag.toMask(flags);
    }

    public Optional<Real> real(InetAddress address) {
        return reals.stream().filter(r -> r.address().equals(address)).findFirst();
    }

    /** Same VIP with different encap and flags; the reals stay (and must be carried by the new encap). */
    public VipConfig withSettings(Encap newEncap, Collection<VipFlag> newFlags) {
        for (Real r : reals) newEncap.check(vip, r.address());
        return new VipConfig(vip, newEncap, Set.copyOf(newFlags), reals, minHealthy, check);
    }

    /** Same VIP checked another way. */
    public VipConfig withCheck(HealthCheck newCheck) {
        return new VipConfig(vip, encap, flags, reals, minHealthy, newCheck);
    }

    /** The same VIP with other reals (e.g. effective weights); everything else kept. */
    public VipConfig withReals(List<Real> newReals) {
        return new VipConfig(vip, encap, flags, newReals, minHealthy, check);
    }

    /** Why a real cannot have its VIP's address: the director would send the VIP's packets to itself. */
    private static String ownAddress(Vip vip) {
        return "a real cannot be its VIP's own address " + IpAddresses.format(vip.address())
                + " (the tunnels would come back to the director); give the real server's own address";
    }

    /** Adds the real, or sets its weight if it is already there. */
    public VipConfig withReal(Real real) {
        if (real.address().equals(vip.address())) {
            throw new UserError("bad real " + IpAddresses.format(real.address()) + " for VIP " + vip + ": " + ownAddress(vip));
        }
        encap.check(vip, real.address());
        List<Real> next = new ArrayList<>(reals);
        next.removeIf(r -> r.address().equals(real.address()));
        next.add(real);
        return new VipConfig(vip, encap, flags, next, minHealthy, check);
    }

    /** Removes the real; a {@link UserError} when it is not there. */
    public VipConfig withoutReal(InetAddress address) {
        if (real(address).isEmpty()) {
            throw new UserError("real " + IpAddresses.format(address) + " is not in VIP " + vip
                    + " (see xdplb real list " + vip + ")");
        }
        List<Real> next = new ArrayList<>(reals);
        next.removeIf(r -> r.address().equals(address));
        return new VipConfig(vip, encap, flags, next, minHealthy, check);
    }
}
