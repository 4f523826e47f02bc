package io.xdplb.testing;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A throw-away network namespace for one test (name "xt-" + random), removed on close
 * with everything in it. Nothing is ever created in the host's own namespace.
 */
public final class TestNetns implements AutoCloseable {
    private final String name;

    public TestNetns() {
        this.name = "xt-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        Sh.run("ip", "netns", "add", name).ok();
        ip("link", "set", "lo", "up");
    }

    public String name() {
        return name;
    }

    /** ip -n NAME ARGS..., asserting success. */
    public Sh.Result ip(String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = name;
        System.arraycopy(args, 0, cmd, 3, args.length);
        return Sh.run(cmd).ok();
    }

    /** A veth pair a/b, both up, inside this namespace. */
    public TestNetns vethPair(String a, String b) {
        ip("link", "add", a, "type", "veth", "peer", "name", b);
        ip("link", "set", a, "up");
        ip("link", "set", b, "up");
        return this;
    }

    /** sysctl -w NAME=VALUE inside this namespace, asserting success. */
    public void sysctl(String name, String value) {
        Sh.run("ip", "netns", "exec", name(), "sysctl", "-qw", name + "=" + value).ok();
    }

    /** The value of sysctl NAME inside this namespace. */
    public String sysctl(String name) {
        return Sh.run("ip", "netns", "exec", name(), "sysctl", "-n", name).ok().out().strip();
    }

    /** `ip -br addr show dev lo` inside this namespace: what is bound on lo. */
    public String loAddresses() {
        return ip("-br", "addr", "show", "dev", "lo").out().strip();
    }

    @Override
    public void close() {
        Sh.run("ip", "netns", "del", name);
    }
}
