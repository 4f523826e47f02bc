package io.xdplb.attach;

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

/** `xdplb pass attach|detach` and `status` against a veth pair in a namespace of the test's own. */
@RootOnly
class PassAttachTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String instance = "t-pass-" + ProcessHandle.current().pid();
    private TestNetns ns;

    @BeforeEach
    void setUp() {
        ns = new TestNetns().vethPair("va", "vb");
    }

    @AfterEach
    void tearDown() {
        ns.close();
        // the namespace is gone, so any link left is defunct: its pins must still go
        Cli.run("--instance", instance, "pass", "detach", "--iface", "va", "--netns", ns.name());
        Cli.run("--instance", instance, "pass", "detach", "--iface", "vb", "--netns", ns.name());
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance)), "pins left behind");
    }

    private Cli.Result xdplb(String... args) {
        return Cli.inInstance(instance, args);
    }

    /** The xdp object `ip -j link show` reports for the interface (missing node when none). */
    private JsonNode xdpOf(String iface) throws Exception {
        return JSON.readTree(ns.ip("-j", "link", "show", "dev", iface).out()).get(0).path("xdp");
    }

    @Test
    void attachesNativeAndGenericAndDetachesWithoutLeftovers() throws Exception {
        Cli.Result a = xdplb("pass", "attach", "--iface", "va", "--netns", ns.name());
        assertEquals(0, a.exit(), a.err());
        assertEquals("attached pass to va (netns " + ns.name() + ") (native mode)\n", a.out());
        xdplb("pass", "attach", "--iface", "vb", "--netns", ns.name(), "--mode", "generic").ok();

        JsonNode va = xdpOf("va");
        assertEquals(1, va.path("mode").asInt(), "native (driver) mode: " + va); // XDP_ATTACHED_DRV
        assertEquals("pass", va.path("prog").path("name").asText());
        JsonNode vb = xdpOf("vb");
        assertEquals(2, vb.path("mode").asInt(), "generic (skb) mode: " + vb); // XDP_ATTACHED_SKB
        assertEquals(va.path("prog").path("id").asInt(), vb.path("prog").path("id").asInt(), "one shared program");

        JsonNode status = JSON.readTree(Cli.run("status", "--json").ok().out());
        int mine = 0;
        for (JsonNode row : status.path("attachments")) {
            if (!row.path("instance").asText().equals(instance)) continue;
            mine++;
            assertEquals(ns.name(), row.path("netns").asText());
            assertEquals("pass", row.path("program").asText());
            assertEquals("attached", row.path("state").asText());
            assertEquals(row.path("iface").asText().equals("va") ? "native" : "generic", row.path("mode").asText());
        }
        assertEquals(2, mine, status.toString());
        assertTrue(Cli.run("status").ok().out().contains(instance), "table lists the instance");

        assertEquals("detached pass from va (netns " + ns.name() + ")\n",
                xdplb("pass", "detach", "--iface", "va", "--netns", ns.name()).ok().out());
        assertTrue(xdpOf("va").isMissingNode(), "no XDP program left on va");
        assertTrue(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance, "pass")), "vb still uses the program");
        xdplb("pass", "detach", "--iface", "vb", "--netns", ns.name()).ok();
        assertTrue(xdpOf("vb").isMissingNode());
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance)), "detach leaves nothing behind");
    }

    @Test
    void reattachingSaysItIsAlreadyThereAndChangesNothing() throws Exception {
        xdplb("pass", "attach", "--iface", "va", "--netns", ns.name()).ok();
        int id = xdpOf("va").path("prog").path("id").asInt();
        Cli.Result again = xdplb("pass", "attach", "--iface", "va", "--netns", ns.name(), "--mode", "generic");
        assertEquals(1, again.exit());
        assertEquals("xdplb: va (netns " + ns.name() + ") already has xdplb's pass program attached (instance "
                + instance + ", native mode); detach it first\n", again.err());
        assertEquals(id, xdpOf("va").path("prog").path("id").asInt());
        assertEquals(1, xdpOf("va").path("mode").asInt());
    }

    @Test
    void foreignXdpProgramIsNotReplaced() throws Exception {
        Cli.run("--instance", instance + "x", "pass", "attach", "--iface", "va", "--netns", ns.name()).ok();
        try {
            Cli.Result r = xdplb("pass", "attach", "--iface", "va", "--netns", ns.name());
            assertEquals(1, r.exit());
            assertEquals("xdplb: va (netns " + ns.name() + ") already runs xdplb instance " + instance + "x's pass program;"
                    + " detach it there first (xdplb --instance " + instance + "x pass detach --iface va --netns " + ns.name()
                    + ") or use another interface\n", r.err(), "the instance that holds the interface is named");
            assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance)), "failed attach leaves no pins");
        } finally {
            Cli.run("--instance", instance + "x", "pass", "detach", "--iface", "va", "--netns", ns.name());
        }
    }

    @Test
    void unknownInterfaceAndMissingNamespaceAreOneLineErrors() {
        Cli.Result noIf = xdplb("pass", "attach", "--iface", "nosuch0", "--netns", ns.name());
        assertEquals(1, noIf.exit());
        assertEquals("xdplb: no interface nosuch0 in netns " + ns.name() + " (see `ip -n " + ns.name()
                + " link`)\n", noIf.err());
        Cli.Result noNs = xdplb("pass", "attach", "--iface", "va", "--netns", "xt-missing");
        assertEquals(1, noNs.exit());
        assertEquals("xdplb: network namespace \"xt-missing\" does not exist (no /run/netns/xt-missing);"
                + " see `ip netns list`, or create it with `ip netns add xt-missing`\n", noNs.err());
        Cli.Result notAttached = xdplb("pass", "detach", "--iface", "va", "--netns", ns.name());
        assertEquals(1, notAttached.exit());
        assertTrue(notAttached.err().startsWith("xdplb: xdplb instance " + instance + " has nothing attached to va"));
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance)), "errors leave no pins");
    }
}
