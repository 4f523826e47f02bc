package io.xdplb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.testing.Cli;
import io.xdplb.testing.Sh;
import io.xdplb.testing.TestNetns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One CLI test's world: an instance of its own (pins under /sys/fs/bpf/xdplb/NAME, configuration
 * under the tests' state directory) and a quiet namespace with a veth pair va/vb for the director.
 * {@link #close} detaches, removes the namespace and the instance's configuration, and checks
 * that no pins are left.
 */
final class Lab implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String GATEWAY_MAC = "02:00:00:00:00:01";

    final String instance;
    final TestNetns ns;

    Lab(String instance) {
        this.instance = instance;
        deleteState();
        ns = new TestNetns();
        // No IPv6 on the veths: no router solicitations, DAD or MLD reports cross them, so the
        // counters (and so `xdplb dump`) stay still while a test compares before and after.
        Sh.run("ip", "netns", "exec", ns.name(), "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1").ok();
        Sh.run("ip", "netns", "exec", ns.name(), "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1").ok();
        ns.vethPair("va", "vb");
    }

    /** xdplb --instance NAME args... in this JVM. */
    Cli.Result xdplb(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--instance";
        all[1] = instance;
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(all);
    }

    /** Attaches the director to va with small maps; extra options are appended. */
    Cli.Result attach(String... extra) {
        String[] base = {"attach", "--iface", "va", "--netns", ns.name(), "--gateway-mac", GATEWAY_MAC,
                "--src4", "192.0.2.1", "--src6", "2001:db8::1", "--ring-size", "1021"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return xdplb(all);
    }

    /** Runs a command that must succeed, and returns what it printed. */
    String ok(String... args) {
        Cli.Result r = xdplb(args);
        assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
        assertEquals("", r.err(), String.join(" ", args));
        return r.out();
    }

    JsonNode json(String... args) {
        try {
            return JSON.readTree(ok(args));
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", args) + " printed no JSON: " + e.getMessage(), e);
        }
    }

    Path pins() {
        return Path.of("/sys/fs/bpf/xdplb", instance);
    }

    Path stateDir() {
        return Path.of(System.getProperty("xdplb.stateDir", "/tmp/xdplb-test-state"), instance);
    }

    Path configFile() {
        return stateDir().resolve("config.json");
    }

    /** The configuration file's bytes, or null when there is none. */
    String configBytes() {
        try {
            return Files.exists(configFile()) ? Files.readString(configFile(), StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    void deleteState() {
        Path dir = stateDir();
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new AssertionError("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            xdplb("detach", "--iface", "va", "--netns", ns.name());
        } finally {
            ns.close();
            // if the first detach failed half way, the namespace is gone now and a second one removes defunct pins
            if (Files.exists(pins())) xdplb("detach", "--iface", "va", "--netns", ns.name());
            deleteState();
        }
        assertFalse(Files.exists(pins()), "pins left behind under " + pins());
        assertTrue(!Files.exists(stateDir()), "state left behind");
    }
}
