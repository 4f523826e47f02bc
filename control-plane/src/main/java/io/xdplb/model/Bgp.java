package io.xdplb.model;

import io.xdplb.Messages;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * How this director announces its VIPs: a BGP speaker (BIRD 2, run and driven by `xdplb agent`)
 * with sessions to the routers, which spread the VIPs' traffic over every director that
 * announces them (ECMP). Every director of a group has the same settings.
 *
 * @param localAsn the directors' AS number
 * @param holdTime BGP hold time in seconds (0 = no keepalives, else 3..65535): how long a router
 *                 keeps a dead director's routes
 * @param routerId BGP router id, or null: the speaker takes its lowest IPv4 address
 * @param speaker  the BIRD 2 daemon to run (a name on PATH or a path); birdc is looked for next to it
 * @param peers    the routers, at least one
 */
public record Bgp(long localAsn, int holdTime, Inet4Address routerId, String speaker, List<Peer> peers) {
    public static final int DEFAULT_HOLD_TIME = 90;
    public static final String DEFAULT_SPEAKER = "bird";
    public static final long MAX_ASN = 4294967295L;

    /**
     * One router.
     *
     * @param address the router's address on the director's link; IPv4 peers carry the IPv4
     *                VIPs' /32 routes, IPv6 peers the IPv6 VIPs' /128 routes
     * @param asn     the router's AS number
     * @param nextHop next hop the routes carry (same family as address), or null: the director's
     *                own address on the session
     */
    public record Peer(InetAddress address, long asn, InetAddress nextHop) {
        public Peer {
            Objects.requireNonNull(address, "address");
            checkAsn("asn", asn);
            if (nextHop != null && IpAddresses.isIpv6(nextHop) != IpAddresses.isIpv6(address)) {
                throw new Invalid("nextHop", Messages.quote(IpAddresses.format(nextHop)), "must be an "
                        + IpAddresses.familyName(address) + " address like the peer's (" + IpAddresses.format(address) + ")");
            }
        }

        public boolean ipv6() {
            return IpAddresses.isIpv6(address);
        }
    }

    public Bgp {
        checkAsn("localAsn", localAsn);
        if (holdTime != 0 && (holdTime < 3 || holdTime > 65535)) {
            throw new Invalid("holdTime", "" + holdTime, "must be 0 or 3..65535 seconds (RFC 4271)");
        }
        if (speaker == null) speaker = DEFAULT_SPEAKER;
        if (speaker.isBlank() || speaker.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            throw new Invalid("speaker", Messages.quote(speaker), "must be a program name or path without spaces");
        }
        if (peers == null || peers.isEmpty()) throw new Invalid("peers", null, "at least one peer is required");
        for (int i = 0; i < peers.size(); i++) {
            for (int k = 0; k < i; k++) {
                if (peers.get(k).address().equals(peers.get(i).address())) {
                    throw new Invalid("peers[" + i + "].address", Messages.quote(IpAddresses.format(peers.get(i).address())),
                            "peer " + IpAddresses.format(peers.get(i).address()) + " is listed twice (also peers[" + k + "])");
                }
            }
        }
        peers = List.copyOf(peers);
    }

    private static void checkAsn(String field, long asn) {
        if (asn < 1 || asn > MAX_ASN) throw new Invalid(field, "" + asn, "must be an AS number 1.." + MAX_ASN);
    }
}
