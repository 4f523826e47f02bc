package io.xdplb.packet;

/** Protocol and next-header numbers (IANA "Assigned Internet Protocol Numbers"). */
public final class Ip {
    private Ip() {}

    public static final int HOPOPTS = 0, ICMP = 1, IPIP = 4, TCP = 6, UDP = 17, IPV6 = 41, ROUTING = 43,
            FRAGMENT = 44, GRE = 47, ESP = 50, ICMPV6 = 58, NONE = 59, DSTOPTS = 60;
}
