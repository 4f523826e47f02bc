package io.xdplb.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.attach.InstanceLayout;
import io.xdplb.maps.DecapConfig;
import io.xdplb.realserver.DecapMaps;
import io.xdplb.testing.Cli;
import io.xdplb.testing.RootOnly;
import io.xdplb.testing.Sh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `xdplb doctor` in the test network: a clean lab is all ok; each fault planted alone makes
 * exactly its check fail, with the fix that (where it is a command) repairs it.
 */
@RootOnly
class DoctorTest {
    private static final String PREFIX = "xd";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestEnv env;

    @BeforeAll
    static void buildTheNetwork() {
        env = new TestEnv(PREFIX);
        xdplb("attach", "--iface", "eth0", "--netns", env.ns("dir"), "--max-vips", "8", "--ring-size", "1021");
        for (String vip : List.of("203.0.113.10:80/tcp", "203.0.113.11:80/tcp")) {
            xdplb("vip", "add", vip, "--encap", vip.startsWith("203.0.113.10") ? "gue" : "ipip");
            for (String r : List.of("192.0.2.11", "192.0.2.12", "192.0.2.13")) xdplb("real", "add", vip, r);
        }
        for (int i = 1; i <= 3; i++) {
            xdplb("realserver", "setup", "--iface", "eth0", "--netns", env.ns("rs" + i), "--vip", "203.0.113.10",
                    "--vip", "203.0.113.11");
        }
        assertTrue(env.curl("http://203.0.113.10/").startsWith("rs"), "the lab answers through the VIP");
    }

    @AfterAll
    static void tearDown() {
        if (env != null) env.close();
        Cli.forgetInstance(PREFIX);
    }

    private static Cli.Result xdplb(String... args) {
        return Cli.inInstance(PREFIX, args).ok();
    }

    private static JsonNode doctor(int expectedExit) throws Exception {
        Cli.Result r = Cli.inInstance(PREFIX, "doctor", "--json", "--interval", "0.5");
        assertEquals(expectedExit, r.exit(), r.err() + r.out());
        return JSON.readTree(r.out());
    }

    private static Set<String> withStatus(JsonNode report, String status) {
        Set<String> out = new TreeSet<>();
        for (JsonNode c : report.path("checks")) if (c.path("status").asText().equals(status)) out.add(c.path("check").asText());
        return out;
    }

    /** The one failing check's findings (asserting that only that check fails). */
    private static List<JsonNode> failsExactly(String check) throws Exception {
        JsonNode report = doctor(1);
        assertEquals(Set.of(check), withStatus(report, "fail"), report.toPrettyString());
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : report.path("checks")) if (c.path("status").asText().equals("fail")) out.add(c);
        return out;
    }

    private static void assertClean() throws Exception {
        JsonNode report = doctor(0);
        assertEquals(Set.of(), withStatus(report, "fail"), report.toPrettyString());
        assertEquals(Set.of(), withStatus(report, "warn"), report.toPrettyString());
        assertTrue(report.path("checks").size() > 20, "every check ran: " + report.path("checks").size());
    }

    /** Runs a fix as doctor printed it (one or more commands joined by &&, a # comment after). */
    private static void runFix(String fix) {
        String cmd = fix.contains("#") ? fix.substring(0, fix.indexOf('#')) : fix;
        for (String part : cmd.split("&&")) {
            List<String> argv = Arrays.asList(part.strip().split("\\s+"));
            if (argv.getFirst().equals("xdplb")) {
                assertEquals(0, Cli.run(argv.subList(1, argv.size()).toArray(String[]::new)).exit(), part);
            } else {
                Sh.Result r = Sh.run(argv, 30);
                assertEquals(0, r.exit(), part + ": " + r.err());
            }
        }
    }

    private static void sh(String... cmd) {
        Sh.Result r = Sh.run(List.of(cmd), 30);
        assertEquals(0, r.exit(), String.join(" ", cmd) + ": " + r.err());
    }

    @Test
    void aCleanLabIsAllOkAndEachPlantedFaultFailsExactlyItsCheck() throws Exception {
        assertClean();
        String router = env.ns("router");

        // 1. the director's veth peer loses its XDP program: the veth drops every XDP_TX'ed frame
        xdplb("pass", "detach", "--iface", "d-dir", "--netns", router);
        JsonNode peer = failsExactly("xdp-peer").getFirst();
        assertEquals("xdplb --instance " + PREFIX + " pass attach --iface d-dir --netns " + router, peer.path("fix").asText());
        runFix(peer.path("fix").asText());
        assertClean();

        // 2. a local client offloads its checksums and the veth feeding the director passes them on unfinished
        sh("ip", "netns", "exec", env.ns("client"), "ethtool", "-K", "eth0", "tx", "on");
        sh("ip", "netns", "exec", router, "ethtool", "-K", "d-dir", "tx", "on");
        JsonNode csum = failsExactly("tx-checksum").getFirst();
        assertEquals("eth0 (netns " + env.ns("client") + ")", csum.path("where").asText());
        assertTrue(csum.path("fix").asText().startsWith("ip netns exec " + router + " ethtool -K d-dir tx off"), csum.toString());
        runFix(csum.path("fix").asText());
        assertClean(); // the client's offload alone is harmless once d-dir finishes the checksums
        sh("ip", "netns", "exec", env.ns("client"), "ethtool", "-K", "eth0", "tx", "off");

        // 3. the gateway's MAC changes under the director
        String brMac = "02:00:c0:00:02:01";
        sh("ip", "-n", router, "link", "set", "br0", "address", "02:00:c0:00:02:99");
        sh("ip", "-n", env.ns("dir"), "neigh", "flush", "all");
        JsonNode gw = failsExactly("gateway-mac").getFirst();
        assertTrue(gw.path("saw").asText().contains("02:00:c0:00:02:99"), gw.toString());
        assertTrue(gw.path("fix").asText().contains("attach --iface eth0 --netns " + env.ns("dir") + " --gateway-mac auto"),
                gw.toString());
        sh("ip", "-n", router, "link", "set", "br0", "address", brMac);
        for (String ns : List.of("dir", "router", "client", "rs1", "rs2", "rs3")) sh("ip", "-n", env.ns(ns), "neigh", "flush", "all");
        assertClean();

        // 4. a real loses the VIP from lo
        sh("ip", "-n", env.ns("rs2"), "addr", "del", "203.0.113.11/32", "dev", "lo");
        JsonNode lo = failsExactly("vip-on-lo").getFirst();
        assertEquals("eth0 (netns " + env.ns("rs2") + ")", lo.path("where").asText());
        assertEquals("ip -n " + env.ns("rs2") + " addr add 203.0.113.11/32 dev lo", lo.path("fix").asText());
        runFix(lo.path("fix").asText());
        assertClean();

        // 5. the reals decapsulate GUE on another port than the director sends to
        try (DecapMaps maps = DecapMaps.pinned(InstanceLayout.of(PREFIX))) {
            maps.config.put(0, new DecapConfig(7000, 0));
        }
        List<JsonNode> gue = failsExactly("gue-port");
        assertEquals(3, gue.size(), "every real: " + gue);
        assertTrue(gue.getFirst().path("saw").asText().contains("port 7000"), gue.toString());
        assertTrue(gue.getFirst().path("fix").asText().endsWith("--gue-port 6080"), gue.toString());
        runFix(gue.getFirst().path("fix").asText()); // one real's set-up again: the port is the instance's
        assertClean();

        // 6. the router rejects the GUE tunnels
        sh("ip", "netns", "exec", router, "nft", "add", "table", "inet", "xdtest");
        sh("ip", "netns", "exec", router, "nft", "add", "chain", "inet", "xdtest", "xdfwd",
                "{ type filter hook forward priority 0; }");
        sh("ip", "netns", "exec", router, "nft", "add", "rule", "inet", "xdtest", "xdfwd", "udp", "dport", "6080", "reject");
        JsonNode fw = failsExactly("firewall").getFirst();
        assertEquals("netns " + router, fw.path("where").asText());
        assertTrue(fw.path("fix").asText().startsWith("ip netns exec " + router + " nft delete rule inet xdtest xdfwd handle "),
                fw.toString());
        runFix(fw.path("fix").asText());
        sh("ip", "netns", "exec", router, "nft", "delete", "table", "inet", "xdtest");
        assertClean();

        // 7. a VIP without reals: its ring is empty
        xdplb("vip", "add", "203.0.113.12:80/tcp");
        JsonNode ring = failsExactly("ring").getFirst();
        assertEquals("203.0.113.12:80/tcp", ring.path("where").asText());
        xdplb("vip", "del", "203.0.113.12:80/tcp");

        // 8. strict rp_filter on a real
        sh("ip", "netns", "exec", env.ns("rs3"), "sysctl", "-qw", "net.ipv4.conf.eth0.rp_filter=1");
        JsonNode rp = failsExactly("rp-filter").getFirst();
        runFix(rp.path("fix").asText().replace("sysctl -w", "sysctl -qw"));
        assertClean();

        // 9. a real server whose namespace went away: its decap link is defunct and its record stale
        String extra = PREFIX + "-extra";
        sh("ip", "netns", "add", extra);
        try {
            sh("ip", "-n", extra, "link", "add", "d0", "type", "veth", "peer", "name", "d1");
            sh("ip", "-n", extra, "addr", "add", "192.0.2.99/24", "dev", "d0");
            sh("ip", "-n", extra, "link", "set", "d0", "up");
            xdplb("realserver", "setup", "--iface", "d0", "--netns", extra, "--vip", "203.0.113.10", "--mode", "generic");
            assertClean();
        } finally {
            sh("ip", "netns", "del", extra);
        }
        JsonNode report = doctor(1);
        assertEquals(java.util.Set.of("attachments", "records"), withStatus(report, "fail"), report.toPrettyString());
        for (JsonNode c : report.path("checks")) {
            if (!c.path("status").asText().equals("fail")) continue;
            assertTrue(c.path("fix").asText().startsWith("xdplb --instance " + PREFIX + " realserver teardown --iface d0 --netns "
                    + extra), c.toString());
        }
        runFix(report.path("checks").findValues("fix").stream().map(JsonNode::asText)
                .filter(f -> f.contains("teardown")).findFirst().orElseThrow());
        assertClean();
    }

    @Test
    void theTextReportNamesEachCheckAndTheExitCodeSaysAllIsWell() {
        Cli.Result r = Cli.inInstance(PREFIX, "doctor", "--interval", "0.2");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("ok\\s+xdp-peer\\s+d-dir \\(netns " + PREFIX + "-router\\).*")), r.out());
        assertTrue(r.out().strip().endsWith("(counters read 0.2 s apart)"), r.out());
    }
}
