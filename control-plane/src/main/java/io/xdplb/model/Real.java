package io.xdplb.model;

import io.xdplb.Messages;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.Objects;

/** A real server of a VIP: its address and weight (0 = drain: no new flows, existing ones stay). */
public record Real(InetAddress address, int weight) {
    public static final int DEFAULT_WEIGHT = 1;
    public static final int MAX_WEIGHT = Maglev.MAX_WEIGHT;

    // not Comparator.comparing(Real::address, ...): its lambdas are linked at run time on every start
    public static final Comparator<Real> ORDER = (a, b) -> IpAddresses.ORDER.compare(a.address, b.address);

    public Real {
        Objects.requireNonNull(address, "address");
        String p = IpAddresses.problem(IpAddresses.format(address));
        if (p != null) throw new Invalid("address", Messages.quote(IpAddresses.format(address)), p);
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new Invalid("weight", "" + weight, "weight must be 0.." + MAX_WEIGHT);
        }
    }

    /** Parses the address as given on the command line ("real address ..." errors). */
    public static InetAddress parseAddress(String text) {
        return IpAddresses.parse(text, "real address");
    }

    @Override
    public String toString() {
        return IpAddresses.format(address) + " weight " + weight;
    }
}
