package io.xdplb.containers;

import io.xdplb.testing.Sh;

import java.util.List;

/**
 * A client and a director in network namespaces of their own, each linked by a veth to the
 * namespace of the Docker engine, which is the container host and routes between them and
 * the containers' bridge: client → engine's namespace → director (XDP_TX back) → engine's
 * namespace → Docker bridge → container, and the container's reply → bridge → client,
 * never through the director. Documentation addresses only.
 * <pre>
 *   client eth0 198.51.100.2/25  2001:db8:c::2/64   ── c-client (.1, ::1) ┐
 *   director eth0 198.51.100.130/25 2001:db8:d::2/64 ── c-dir (.129, ::1)  ├ engine namespace ── br-… 192.0.2.1, 2001:db8:2::1
 *   VIPs 203.0.113.0/24 and 2001:db8:f::/64 routed to the director        ┘
 * </pre>
 */
final class ContainerLab implements AutoCloseable {
    static final String CLIENT4 = "198.51.100.2";
    static final String CLIENT6 = "2001:db8:c::2";
    static final String DIRECTOR4 = "198.51.100.130";
    static final String DIRECTOR6 = "2001:db8:d::2";
    static final String ROUTER_DIRECTOR_PORT = "c-dir";

    final String prefix;
    final String router;

    ContainerLab(String prefix, String router) {
        this.prefix = prefix;
        this.router = router;
        try {
            build();
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    String client() {
        return prefix + "-client";
    }

    String director() {
        return prefix + "-dir";
    }

    private void build() {
        link(client(), "c-client", CLIENT4 + "/25", CLIENT6 + "/64", "198.51.100.1/25", "2001:db8:c::1/64", "198.51.100.1",
                "2001:db8:c::1");
        link(director(), ROUTER_DIRECTOR_PORT, DIRECTOR4 + "/25", DIRECTOR6 + "/64", "198.51.100.129/25",
                "2001:db8:d::1/64", "198.51.100.129", "2001:db8:d::1");
        ip(router, "route", "add", "203.0.113.0/24", "via", DIRECTOR4);
        ip(router, "-6", "route", "add", "2001:db8:f::/64", "via", DIRECTOR6);
        // A veth hands locally made packets on with the L4 checksum left to "offload"; XDP_TX
        // cannot pass that promise on, so the client (and the router's port to the director)
        // compute their checksums themselves, as a NIC on a wire would.
        exec(client(), "ethtool", "-K", "eth0", "tx", "off");
        exec(router, "ethtool", "-K", ROUTER_DIRECTOR_PORT, "tx", "off");
    }

    private void link(String ns, String routerPort, String addr4, String addr6, String gw4cidr, String gw6cidr, String gw4,
                      String gw6) {
        Sh.run("ip", "netns", "add", ns).ok();
        exec(ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
        ip(ns, "link", "set", "lo", "up");
        ip(ns, "link", "add", "eth0", "type", "veth", "peer", "name", routerPort, "netns", router);
        ip(ns, "addr", "add", addr4, "dev", "eth0");
        ip(ns, "addr", "add", addr6, "dev", "eth0", "nodad");
        ip(ns, "link", "set", "eth0", "up");
        ip(router, "addr", "add", gw4cidr, "dev", routerPort);
        ip(router, "addr", "add", gw6cidr, "dev", routerPort, "nodad");
        ip(router, "link", "set", routerPort, "up");
        ip(ns, "route", "add", "default", "via", gw4);
        ip(ns, "-6", "route", "add", "default", "via", gw6);
    }

    static void ip(String ns, String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = ns;
        System.arraycopy(args, 0, cmd, 3, args.length);
        Sh.run(cmd).ok();
    }

    static Sh.Result exec(String ns, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "ip";
        all[1] = "netns";
        all[2] = "exec";
        all[3] = ns;
        System.arraycopy(args, 0, all, 4, args.length);
        return Sh.run(all).ok();
    }

    /** One HTTP GET from the client on a new connection: the body (the answering container's name), or the failure. */
    String curl(String url) {
        Sh.Result r = Sh.run(List.of("ip", "netns", "exec", client(), "curl", "-s", "-g", "--max-time", "3", url), 15);
        return r.exit() == 0 ? r.out().strip() : "curl exit " + r.exit();
    }

    @Override
    public void close() {
        // the router ends of the veths go with their peers
        Sh.run("ip", "netns", "del", client());
        Sh.run("ip", "netns", "del", director());
    }
}
