package io.xdplb.realserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.testing.Cli;
import io.xdplb.testing.RootOnly;
import io.xdplb.testing.TestNetns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `xdplb realserver setup|teardown` in a namespace of the test's own: what it changes, and that teardown restores it. */
@RootOnly
class RealServerSetupTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String instance = "t-rs-" + ProcessHandle.current().pid();
    private TestNetns ns;

    @BeforeEach
    void setUp() {
        ns = new TestNetns().vethPair("eth0", "peer0");
        ns.ip("addr", "add", "192.0.2.11/24", "dev", "eth0");
        ns.ip("addr", "add", "2001:db8:1::11/64", "dev", "eth0", "nodad");
        // values that differ from what setup wants, so restoring them is visible
        ns.sysctl("net.ipv4.conf.all.arp_announce", "1");
        ns.sysctl("net.ipv4.conf.eth0.rp_filter", "1");
    }

    @AfterEach
    void tearDown() {
        Cli.run("--instance", instance, "realserver", "teardown", "--iface", "eth0", "--netns", ns.name());
        ns.close();
        Cli.forgetInstance(instance);
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance)), "pins left behind");
        assertFalse(Files.exists(Path.of("/run/xdplb", instance)), "state left behind");
    }

    private Cli.Result xdplb(String... args) {
        return Cli.inInstance(instance, args);
    }

    @Test
    void setupConfiguresTheHostAndTeardownRestoresWhatItFound() throws Exception {
        String loBefore = ns.loAddresses();
        Cli.Result r = xdplb("realserver", "setup", "--iface", "eth0", "--netns", ns.name(),
                "--vip", "203.0.113.10", "--vip", "2001:db8:f::10");
        assertEquals(0, r.exit(), r.err());
        assertEquals("real server set up on eth0 (netns " + ns.name() + "): VIPs 203.0.113.10, 2001:db8:f::10 on lo,"
                + " decap for 192.0.2.11, 2001:db8:1::11 (GUE port 6080)\n", r.out());

        String lo = ns.ip("addr", "show", "dev", "lo").out();
        assertTrue(lo.contains("inet 203.0.113.10/32 scope global lo"), lo);
        assertTrue(lo.contains("inet6 2001:db8:f::10/128 scope global"), lo);
        assertEquals("1", ns.sysctl("net.ipv4.conf.all.arp_ignore"));
        assertEquals("2", ns.sysctl("net.ipv4.conf.all.arp_announce"));
        assertEquals("1", ns.sysctl("net.ipv4.conf.eth0.arp_ignore"));
        assertEquals("2", ns.sysctl("net.ipv4.conf.eth0.arp_announce"));
        assertEquals("2", ns.sysctl("net.ipv4.conf.eth0.rp_filter"));

        JsonNode xdp = JSON.readTree(ns.ip("-j", "link", "show", "dev", "eth0").out()).get(0).path("xdp");
        assertEquals("decap", xdp.path("prog").path("name").asText(), xdp.toString());

        JsonNode status = JSON.readTree(Cli.run("status", "--json").ok().out());
        boolean listed = false;
        for (JsonNode s : status.path("realservers")) {
            if (s.path("instance").asText().equals(instance)) {
                listed = true;
                assertEquals(ns.name(), s.path("netns").asText());
                assertEquals("[\"203.0.113.10\",\"2001:db8:f::10\"]", s.path("vips").toString());
            }
        }
        assertTrue(listed, status.toString());

        Cli.Result again = xdplb("realserver", "setup", "--iface", "eth0", "--netns", ns.name(), "--vip", "203.0.113.10");
        assertEquals(1, again.exit());
        assertEquals("xdplb: eth0 (netns " + ns.name() + ") is already set up as a real server (instance " + instance
                + "); run `xdplb realserver teardown` first\n", again.err());

        xdplb("realserver", "teardown", "--iface", "eth0", "--netns", ns.name()).ok();
        assertEquals(loBefore, ns.loAddresses());
        assertEquals("0", ns.sysctl("net.ipv4.conf.all.arp_ignore"));
        assertEquals("1", ns.sysctl("net.ipv4.conf.all.arp_announce"));
        assertEquals("1", ns.sysctl("net.ipv4.conf.eth0.rp_filter"));
        assertTrue(JSON.readTree(ns.ip("-j", "link", "show", "dev", "eth0").out()).get(0).path("xdp").isMissingNode());
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance)));
    }

    @Test
    void aVipAlreadyOnLoIsKeptByTeardown() {
        ns.ip("addr", "add", "203.0.113.20/32", "dev", "lo");
        xdplb("realserver", "setup", "--iface", "eth0", "--netns", ns.name(), "--vip", "203.0.113.20").ok();
        xdplb("realserver", "teardown", "--iface", "eth0", "--netns", ns.name()).ok();
        assertTrue(ns.loAddresses().contains("203.0.113.20/32"), "the operator's own address stays");
    }

    @Test
    void badInputChangesNothing() {
        String lo = ns.loAddresses();
        Cli.Result port = xdplb("realserver", "setup", "--iface", "eth0", "--netns", ns.name(), "--vip", "203.0.113.10:80");
        assertEquals(1, port.exit());
        assertEquals("xdplb: bad VIP address \"203.0.113.10:80\": realserver takes plain addresses, e.g. 192.0.2.10"
                + " or 2001:db8::10 (no port or protocol)\n", port.err());
        Cli.Result noIf = xdplb("realserver", "setup", "--iface", "eth9", "--netns", ns.name(), "--vip", "203.0.113.10");
        assertEquals(1, noIf.exit());
        assertEquals("xdplb: no interface eth9 in netns " + ns.name() + " (see `ip -n " + ns.name() + " link`)\n",
                noIf.err());
        ns.ip("link", "add", "bare0", "type", "veth", "peer", "name", "bare1");
        Cli.Result noAddr = xdplb("realserver", "setup", "--iface", "bare0", "--netns", ns.name(), "--vip", "203.0.113.10");
        assertEquals(1, noAddr.exit());
        assertTrue(noAddr.err().startsWith("xdplb: bare0 (netns " + ns.name() + ") has no global address"), noAddr.err());
        Cli.Result notSetUp = xdplb("realserver", "teardown", "--iface", "eth0", "--netns", ns.name());
        assertEquals(1, notSetUp.exit());
        assertEquals(lo, ns.loAddresses());
        assertEquals("0", ns.sysctl("net.ipv4.conf.all.arp_ignore"));
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance)));
    }
}
