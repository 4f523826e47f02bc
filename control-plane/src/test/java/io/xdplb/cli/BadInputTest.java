package io.xdplb.cli;

import io.xdplb.testing.Cli;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input, against an attached director: exit code, exactly one line on stderr
 * ("xdplb: ..."), nothing on stdout, and `xdplb dump` and the configuration file byte for byte
 * as they were. The director is set up once (2 VIPs of max 2, 3 reals of max 3) and every case
 * checks it is unchanged, so a case that changed something also shows in the case itself.
 */
@RootOnly
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    private static final String V4 = "192.0.2.10:80/tcp";
    private static final String V6 = "[2001:db8::10]:443/udp";

    private Lab lab;
    private Path files;

    @BeforeAll
    void setUp() throws IOException {
        lab = new Lab("t-cli-bad-" + ProcessHandle.current().pid());
        lab.attach("--max-vips", "2", "--max-reals", "4").ok();
        lab.ok("vip", "add", V4);
        lab.ok("real", "add", V4, "198.51.100.1", "--weight", "2");
        lab.ok("real", "add", V4, "198.51.100.2");
        lab.ok("vip", "add", V6); // ipip: only IPv6 reals
        lab.ok("real", "add", V6, "2001:db8:1::2");

        files = Files.createTempDirectory("xdplb-cli-bad-");
        file("bad-json.json", "{\"version\": 1, \"vips\": [\n");
        file("trailing.json", "{\"version\": 1, \"vips\": []} x\n");
        file("empty.json", "");
        file("unknown-field.json", "{\"version\": 1, \"vips\": [{\"vip\": \"192.0.2.10:80/tcp\", \"weight\": 3}]}");
        file("bad-weight.json", "{\"version\": 1, \"vips\": [{\"vip\": \"192.0.2.10:80/tcp\", \"reals\": "
                + "[{\"address\": \"198.51.100.2\", \"weight\": -3}]}]}");
        file("dup-vip.json", "{\"version\": 1, \"vips\": [{\"vip\": \"192.0.2.10:80/tcp\"}, {\"vip\": \"192.0.2.10:80/TCP\"}]}");
        file("v4-real-ipip.json", "{\"version\": 1, \"vips\": [{\"vip\": \"[2001:db8::10]:443/udp\", \"reals\": "
                + "[{\"address\": \"198.51.100.2\"}]}]}");
        file("bad-version.json", "{\"version\": 2, \"vips\": []}");
    }

    private void file(String name, String text) throws IOException {
        Files.writeString(files.resolve(name), text);
    }

    @AfterAll
    void tearDown() throws IOException {
        try {
            lab.close();
        } finally {
            try (Stream<Path> all = Files.walk(files)) {
                for (Path f : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            }
        }
    }

    private static Arguments bad(int exit, String message, String... args) {
        return Arguments.of(String.join(" ", args), exit, message);
    }

    static Stream<Arguments> cases() {
        List<Arguments> c = new ArrayList<>();
        // malformed VIPs
        c.add(bad(1, "bad VIP \"192.0.2.10:80\": expected ADDR:PORT/PROTO, e.g. 192.0.2.10:80/tcp or [2001:db8::10]:443/udp",
                "vip add 192.0.2.10:80"));
        c.add(bad(1, "bad port 99999 in VIP \"192.0.2.10:99999/tcp\": must be 0..65535 (0 = all ports)",
                "vip add 192.0.2.10:99999/tcp"));
        c.add(bad(1, "bad protocol \"icmp\" in VIP \"[2001:db8::1]:80/icmp\": must be tcp or udp",
                "vip add [2001:db8::1]:80/icmp"));
        c.add(bad(1, "bad address \"foo\" in VIP \"foo:80/tcp\": expected an IPv4 or IPv6 literal (no host names),"
                + " e.g. 198.51.100.2 or 2001:db8::2", "vip add foo:80/tcp"));
        c.add(bad(1, "bad VIP \"2001:db8::1:80/tcp\": an IPv6 address needs brackets, e.g. [2001:db8::10]:443/udp",
                "vip add 2001:db8::1:80/tcp"));
        c.add(bad(1, "bad address \"0.0.0.0\" in VIP \"0.0.0.0:80/tcp\": the unspecified address cannot be used here",
                "vip add 0.0.0.0:80/tcp"));
        c.add(bad(1, "bad VIP \"192.0.2.10/tcp\": expected ADDR:PORT/PROTO, e.g. 192.0.2.10:80/tcp or [2001:db8::10]:443/udp",
                "vip del 192.0.2.10/tcp"));
        c.add(bad(1, "bad VIP \"192.0.2.10:80\": expected ADDR:PORT/PROTO, e.g. 192.0.2.10:80/tcp or [2001:db8::10]:443/udp",
                "real add 192.0.2.10:80 198.51.100.9"));
        // malformed real addresses
        c.add(bad(1, "bad real address \"198.51.100.300\": expected an IPv4 or IPv6 literal (no host names),"
                + " e.g. 198.51.100.2 or 2001:db8::2", "real add " + V4 + " 198.51.100.300"));
        c.add(bad(1, "bad real address \"real1.example\": expected an IPv4 or IPv6 literal (no host names),"
                + " e.g. 198.51.100.2 or 2001:db8::2", "real add " + V4 + " real1.example"));
        c.add(bad(1, "bad real address \"127.0.0.1\": a loopback address cannot be used here",
                "real add " + V4 + " 127.0.0.1"));
        c.add(bad(1, "bad real address \"fe80::1%eth0\": scoped IPv6 addresses (with %) are not supported",
                "real del " + V4 + " fe80::1%eth0"));
        // weights
        c.add(bad(1, "bad --weight -1: must be 0..65535 (0 drains the real)", "real add " + V4 + " 198.51.100.1 --weight -1"));
        c.add(bad(1, "bad --weight 70000: must be 0..65535 (0 drains the real)",
                "real add " + V4 + " 198.51.100.9 --weight 70000"));
        c.add(bad(2, "Invalid value for option '--weight': 'heavy' is not an int (see `xdplb real add --help`)",
                "real add " + V4 + " 198.51.100.9 --weight heavy"));
        // unknown VIPs and reals
        c.add(bad(1, "VIP 192.0.2.99:80/tcp is not configured (add it with xdplb vip add 192.0.2.99:80/tcp)",
                "real add 192.0.2.99:80/tcp 198.51.100.1"));
        c.add(bad(1, "VIP 192.0.2.99:80/tcp is not configured (add it with xdplb vip add 192.0.2.99:80/tcp)",
                "real del 192.0.2.99:80/tcp 198.51.100.1"));
        c.add(bad(1, "VIP 192.0.2.99:80/tcp is not configured (add it with xdplb vip add 192.0.2.99:80/tcp)",
                "vip del 192.0.2.99:80/tcp"));
        c.add(bad(1, "VIP 192.0.2.10:80/tcp has no real 198.51.100.9 (`xdplb real list 192.0.2.10:80/tcp` shows its reals)",
                "real del " + V4 + " 198.51.100.9"));
        c.add(bad(1, "VIP 192.0.2.99:80/tcp is not configured (add it with xdplb vip add 192.0.2.99:80/tcp)",
                "real list 192.0.2.99:80/tcp"));
        // duplicates
        c.add(bad(1, "VIP 192.0.2.10:80/tcp already exists; `xdplb vip del 192.0.2.10:80/tcp` first, or change it with"
                + " `xdplb apply`", "vip add " + V4));
        c.add(bad(1, "VIP 192.0.2.10:80/tcp already exists; `xdplb vip del 192.0.2.10:80/tcp` first, or change it with"
                + " `xdplb apply`", "vip add 192.0.2.10:80/TCP --encap gue"));
        c.add(bad(1, "real 198.51.100.1 is already in VIP 192.0.2.10:80/tcp (weight 2); give --weight N to change its weight",
                "real add " + V4 + " 198.51.100.1"));
        // encapsulation
        c.add(bad(1, "encap ipip cannot carry IPv6 VIP [2001:db8::10]:443/udp to IPv4 real 198.51.100.1 (no IPv6 in IPv4"
                + " IPIP): use --encap gue", "real add " + V6 + " 198.51.100.1"));
        // flags and encap names, unknown options
        c.add(bad(1, "unknown VIP flag \"turbo\": allowed flags are no-sport, no-conntrack, dport-only",
                "vip add 192.0.2.30:80/tcp --flag turbo"));
        c.add(bad(1, "bad encap \"gre\": must be ipip or gue", "vip add 192.0.2.30:80/tcp --encap gre"));
        c.add(bad(2, "Unknown option: '--frob' (see `xdplb vip add --help`)", "vip add 192.0.2.30:80/tcp --frob"));
        c.add(bad(2, "Missing required parameter: 'VIP' (see `xdplb vip add --help`)", "vip add"));
        c.add(bad(2, "Missing required parameter: 'ADDR' (see `xdplb real add --help`)", "real add " + V4));
        // capacity
        c.add(bad(1, "cannot add VIP 192.0.2.30:80/tcp: all 2 VIP slots are used (sizes.maxVips); delete a VIP or raise"
                + " sizes.maxVips (xdplb detach, then xdplb attach --max-vips N)", "vip add 192.0.2.30:80/tcp"));
        c.add(bad(1, "cannot add real 198.51.100.9: all 3 real ids are used (sizes.maxReals - 1); remove a real or raise"
                + " sizes.maxReals (xdplb detach, then xdplb attach --max-reals N)", "real add " + V4 + " 198.51.100.9"));
        // attach / detach / dump / stats misuse
        c.add(bad(1, "the balancer of instance {instance} is already attached to va (netns {ns}); `xdplb detach` it first,"
                + " or use another --instance", "attach --iface va --netns {ns} --gateway-mac 02:00:00:00:00:01"));
        c.add(bad(1, "xdplb instance {instance} has nothing attached to vb (netns {ns}); `xdplb status` lists what is attached",
                "detach --iface vb --netns {ns}"));
        c.add(bad(1, "unknown map \"rings\": one of vip2tnl, vip_addrs, reals, ring, conn_table, lb_config, vip_stats,"
                + " real_stats, lb_stats, flood_state, decap_addrs, decap_config, decap_stats", "dump rings"));
        c.add(bad(1, "bad --watch 0: must be 1 or more seconds", "stats --watch 0"));
        // real-server namespaces: names, paths, containers
        c.add(bad(1, "give either --netns or --container, not both",
                "realserver setup --iface eth0 --netns {ns} --container web1 --vip 203.0.113.10"));
        c.add(bad(1, "network namespace file \"/proc/999999999/ns/net\" does not exist (is its process gone?)",
                "realserver setup --iface eth0 --netns /proc/999999999/ns/net --vip 203.0.113.10"));
        c.add(bad(1, "bad network namespace \":x\": a name under /run/netns (no '/', '@', spaces or leading ':'), a path"
                + " such as /proc/PID/ns/net (no ':', '@' or spaces), or container:NAME",
                "realserver setup --iface eth0 --netns :x --vip 203.0.113.10"));
        c.add(bad(1, "bad container name or id \"web/1\": letters, digits, '_', '.' or '-', as `docker ps` shows them",
                "realserver setup --iface eth0 --container web/1 --vip 203.0.113.10"));
        // (no engine on the tests' DOCKER_HOST outside the container tier; the rest is the OS's wording)
        c.add(bad(1, "cannot reach the Docker engine at unix:///run/xdplb-test-docker/docker.sock (...",
                "realserver setup --iface eth0 --container web1 --vip 203.0.113.10"));
        // apply -f of files with errors, and of no file
        // (the rest of this message is Jackson's own wording; see badJsonMessageHasNoParserInternals)
        c.add(bad(1, "config file {dir}/bad-json.json: not valid JSON at line 2, column 1: Unexpected end-of-input...",
                "apply -f {dir}/bad-json.json"));
        c.add(bad(1, "config file {dir}/trailing.json: not valid JSON at line 1, column 28: Unrecognized token 'x': was"
                + " expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
                "apply -f {dir}/trailing.json"));
        c.add(bad(1, "config file {dir}/empty.json: is empty; expected a JSON object such as {\"version\": 1, \"vips\": []}",
                "apply -f {dir}/empty.json"));
        c.add(bad(1, "config file {dir}/unknown-field.json: vips[0].weight: unknown field; allowed fields are vip, encap,"
                + " flags, reals, minHealthy", "apply -f {dir}/unknown-field.json"));
        c.add(bad(1, "config file {dir}/bad-weight.json: vips[0].reals[0].weight = -3: weight must be 0..65535",
                "apply -f {dir}/bad-weight.json"));
        c.add(bad(1, "config file {dir}/bad-weight.json: vips[0].reals[0].weight = -3: weight must be 0..65535",
                "apply --dry-run -f {dir}/bad-weight.json"));
        c.add(bad(1, "config file {dir}/dup-vip.json: vips[1].vip = \"192.0.2.10:80/tcp\": VIP 192.0.2.10:80/tcp is listed"
                + " twice (also vips[0])", "apply -f {dir}/dup-vip.json"));
        c.add(bad(1, "config file {dir}/v4-real-ipip.json: vips[0].reals[0].address = \"198.51.100.2\": encap ipip cannot"
                + " carry IPv6 VIP [2001:db8::10]:443/udp to IPv4 real 198.51.100.2 (no IPv6 in IPv4 IPIP): use --encap gue",
                "apply -f {dir}/v4-real-ipip.json"));
        c.add(bad(1, "config file {dir}/bad-version.json: version = 2: only version 1 is supported",
                "apply -f {dir}/bad-version.json"));
        c.add(bad(1, "config file {dir}/missing.json does not exist", "apply -f {dir}/missing.json"));
        c.add(bad(2, "Missing required option: '--file=FILE' (see `xdplb apply --help`)", "apply --dry-run"));
        return c.stream();
    }

    private String fill(String s) {
        return s.replace("{dir}", files.toString()).replace("{ns}", lab.ns.name()).replace("{instance}", lab.instance);
    }

    @ParameterizedTest(name = "xdplb {0}")
    @MethodSource("cases")
    void isRefusedWithOneLineAndChangesNothing(String command, int exit, String message) {
        String dumpBefore = lab.ok("dump");
        String configBefore = lab.configBytes();

        Cli.Result r = lab.xdplb(fill(command).split(" "));

        assertEquals(exit, r.exit(), "exit code; stderr: " + r.err());
        if (message.endsWith("...")) {
            String prefix = "xdplb: " + fill(message.substring(0, message.length() - 3));
            assertTrue(r.err().startsWith(prefix), "stderr starts with " + prefix + ": " + r.err());
            assertEquals(1, r.err().lines().count(), "one line on stderr: " + r.err());
            assertTrue(r.err().endsWith("\n"));
        } else {
            assertEquals("xdplb: " + fill(message) + "\n", r.err(), "one line on stderr");
        }
        assertEquals("", r.out(), "nothing on stdout");
        assertEquals(configBefore, lab.configBytes(), "configuration file unchanged");
        assertEquals(dumpBefore, lab.ok("dump"), "maps unchanged");
    }

    /**
     * Known bug in io.xdplb.model.ConfigJson (not CLI code): the "not valid JSON" message carries
     * Jackson's location internals, e.g. "(start marker at [Source: REDACTED
     * (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 24])".
     * Enable when ConfigJson reports only its own "at line L, column C" with Jackson's original message.
     */
    @org.junit.jupiter.api.Test
    void badJsonMessageHasNoParserInternals() {
        Cli.Result r = lab.xdplb("apply", "-f", files.resolve("bad-json.json").toString());
        assertEquals(1, r.exit());
        assertFalse(r.err().contains("REDACTED") || r.err().contains("StreamReadFeature") || r.err().contains("[Source:"),
                r.err());
    }
}
