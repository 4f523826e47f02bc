package io.xdplb.model;

import io.xdplb.Messages;
import io.xdplb.UserError;

import java.net.InetAddress;
import java.util.Comparator;
import java.util.Objects;

/**
 * A virtual service: address, port (0 = every port of the address) and protocol.
 * Text form ADDR:PORT/PROTO, e.g. 192.0.2.10:80/tcp or [2001:db8::10]:443/udp.
 */
public record Vip(InetAddress address, int port, Proto proto) implements Comparable<Vip> {
    public static final String SYNTAX =
            "expected ADDR:PORT/PROTO, e.g. 192.0.2.10:80/tcp or [2001:db8::10]:443/udp";

    /** IPv4 first, then address, port, protocol: the order of listings and of the config file. */
    public static final Comparator<Vip> ORDER = Vip::compareParts;

    public Vip {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(proto, "proto");
        String problem = IpAddresses.problem(IpAddresses.format(address));
        if (problem != null) throw new UserError("bad VIP address " + IpAddresses.format(address) + ": " + problem);
        if (port < 0 || port > 65535) throw new UserError("bad port " + port + ": must be 0..65535 (0 = all ports)");
    }

    public static Vip parse(String text) {
        int slash = text.lastIndexOf('/');
        if (slash < 0) throw syntax(text);
        String hostPort = text.substring(0, slash), protoText = text.substring(slash + 1);

        String addrText, portText;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0 || close + 1 >= hostPort.length() || hostPort.charAt(close + 1) != ':') throw syntax(text);
            addrText = hostPort.substring(1, close);
            portText = hostPort.substring(close + 2);
        } else {
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) throw syntax(text);
            addrText = hostPort.substring(0, colon);
            portText = hostPort.substring(colon + 1);
            if (addrText.indexOf(':') >= 0) {
                throw new UserError("bad VIP " + Messages.quote(text) + ": an IPv6 address needs brackets, e.g. [2001:db8::10]:443/udp");
            }
        }
        if (addrText.isEmpty() || portText.isEmpty() || protoText.isEmpty()) throw syntax(text);

        String problem = IpAddresses.problem(addrText);
        if (problem != null) throw new UserError("bad address " + Messages.quote(addrText) + " in VIP " + Messages.quote(text) + ": " + problem);
        int port = parsePort(portText, text);
        Proto proto = Proto.parseOrNull(protoText);
        if (proto == null) {
            throw new UserError("bad protocol " + Messages.quote(protoText) + " in VIP " + Messages.quote(text) + ": must be tcp or udp");
        }
        return new Vip(IpAddresses.parseUnchecked(addrText), port, proto);
    }

    private static int parsePort(String portText, String vipText) {
        if (!portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new UserError("bad port " + Messages.quote(portText) + " in VIP " + Messages.quote(vipText)
                    + ": must be a number 0..65535 (0 = all ports)");
        }
        // More than 5 digits cannot be a port; checking the length first also avoids int overflow.
        int port = portText.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(portText);
        if (port > 65535) {
            throw new UserError("bad port " + portText + " in VIP " + Messages.quote(vipText) + ": must be 0..65535 (0 = all ports)");
        }
        return port;
    }

    private static UserError syntax(String text) {
        return new UserError("bad VIP " + Messages.quote(text) + ": " + SYNTAX);
    }

    public boolean isIpv6() {
        return IpAddresses.isIpv6(address);
    }

    /** AF_INET (2) or AF_INET6 (10), as in vip_key.family. */
    public int family() {
        return isIpv6() ? 10 : 2;
    }

    // by hand rather than Comparator.comparing(...).thenComparing(...), whose lambdas are linked at
    // run time on every start
    private static int compareParts(Vip a, Vip b) {
        int c = IpAddresses.ORDER.compare(a.address, b.address);
        if (c == 0) c = Integer.compare(a.port, b.port);
        return c != 0 ? c : a.proto.compareTo(b.proto);
    }

    @Override
    public int compareTo(Vip o) {
        return ORDER.compare(this, o);
    }

    // equals and hashCode written out: a record's generated ones are bootstrapped through method
    // handles on first use, which costs every command start-up time (every command hashes VIPs).
    @Override
    public boolean equals(Object o) {
        return o instanceof Vip v && port == v.port && proto == v.proto && address.equals(v.address);
    }

    @Override
    public int hashCode() {
        return (address.hashCode() * 31 + port) * 31 + proto.hashCode();
    }

    /** Canonical text: 192.0.2.10:80/tcp, [2001:db8::10]:443/udp. */
    @Override
    public String toString() {
        return IpAddresses.formatForPort(address) + ":" + port + "/" + proto.label();
    }
}
