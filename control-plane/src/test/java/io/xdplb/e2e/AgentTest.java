package io.xdplb.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.testing.Cli;
import io.xdplb.testing.RootOnly;
import io.xdplb.testing.Sh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `xdplb agent` in the netns lab: boot restore, health checks through the tunnel (a stopped
 * server, a VIP missing on lo), configuration changes picked up while it runs, restarts and
 * kill -9 without a dropped flow, one agent per instance. The director has an instance of its
 * own (xa-lb): the lab's pass programs live in instance xa, and the reboot simulation deletes
 * every pin of the director's instance.
 */
@RootOnly
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentTest {
    private static final String PREFIX = "xa";
    private static final String LB = "xa-lb";
    private static final String VIP = "203.0.113.20:80/tcp";
    private static final String URL = "http://203.0.113.20/";
    /** Shorter than the defaults, as the issue allows: interval 1 s, fall 2, rise 2. */
    private static final String CHECK = "http,interval=1s,timeout=500ms,rise=2,fall=2";
    private static final int INTERVAL_S = 1, FALL = 2, RISE = 2;
    private static final List<String> REALS = List.of("192.0.2.11", "192.0.2.12", "192.0.2.13");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestEnv env;
    private static AgentProcess agent;
    /** The agents' metrics listen on loopback, on a port of this run's own. */
    private static final int METRICS_PORT = 20000 + (int) (ProcessHandle.current().pid() % 30000);

    private static AgentProcess startAgent() {
        return AgentProcess.start(LB, "--metrics", "127.0.0.1:" + METRICS_PORT);
    }

    static Cli.Result xdplb(String... args) {
        return Cli.inInstance(LB, args).ok();
    }

    @BeforeAll
    static void lab() throws Exception {
        env = new TestEnv(PREFIX);
        xdplb("attach", "--iface", "eth0", "--netns", env.ns("dir"), "--max-vips", "8", "--ring-size", "1021");
        xdplb("vip", "add", VIP, "--check", CHECK);
        for (String r : REALS) xdplb("real", "add", VIP, r);
        for (int i = 1; i <= 3; i++) {
            xdplb("realserver", "setup", "--iface", "eth0", "--netns", env.ns("rs" + i), "--vip", "203.0.113.20",
                    "--vip", "203.0.113.21");
            // a file that takes seconds to download at the rate the test asks for
            try (var out = Files.newOutputStream(webRoot(i).resolve("big"))) {
                out.write(new byte[24 << 20]);
            }
        }
    }

    private static Path webRoot(int i) {
        return Path.of("/run/xdplb-testenv", PREFIX, "rs" + i);
    }

    @AfterAll
    static void tearDown() {
        try {
            if (agent != null) agent.close();
            if (env != null) {
                Cli.inInstance(LB, "detach", "--iface", "eth0", "--netns", env.ns("dir"));
                for (int i = 1; i <= 3; i++) Cli.inInstance(LB, "realserver", "teardown", "--iface", "eth0", "--netns", env.ns("rs" + i));
            }
        } finally {
            Cli.forgetInstance(LB);
            Sh.run("rm", "-rf", "/sys/fs/bpf/xdplb/" + LB, "/run/xdplb/" + LB);
            if (env != null) env.close();
        }
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", LB)), "no pins left");
        assertFalse(Files.exists(Path.of("/run/xdplb", LB)), "no run-time state left");
    }

    /** 30 new connections: how many answers each real gave. */
    private static Map<String, Integer> spread() {
        Map<String, Integer> n = new TreeMap<>();
        for (int i = 0; i < 30; i++) n.merge(env.curl(URL), 1, Integer::sum);
        return n;
    }

    private static JsonNode reals() throws Exception {
        return JSON.readTree(xdplb("real", "list", VIP, "--json").out());
    }

    private static String health(String real) throws Exception {
        for (JsonNode r : reals()) if (r.get("address").asText().equals(real)) return r.get("health").get("state").asText();
        throw new AssertionError("no real " + real);
    }

    private static void awaitHealth(String real, String state, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (health(real).equals(state)) return;
            AgentProcess.sleep(100);
        }
        throw new AssertionError(real + " not " + state + " within " + seconds + " s: " + reals() + "\n" + agent.output());
    }

    @Test
    @Order(1)
    void aRebootIsRestoredByTheAgentAtStart() throws Exception {
        assertEquals(3, spread().size(), "before: every real answers");
        // a reboot empties the bpffs and /run: every pin of the instance goes (so its links detach)
        Sh.run("rm", "-rf", "/sys/fs/bpf/xdplb/" + LB, "/run/xdplb/" + LB).ok();
        assertTrue(env.curl(URL).startsWith("curl exit"), "without its pins the director is gone");

        agent = startAgent();
        agent.await("configuration applied: 1 VIPs, director on eth0", 60);
        assertTrue(agent.output().contains("+ director eth0"), agent.output());
        assertTrue(agent.output().contains("+ realserver eth0 netns=" + env.ns("rs1")), agent.output());
        for (String r : REALS) awaitHealth(r, "up", 10);
        Map<String, Integer> n = spread();
        assertEquals(java.util.Set.of("rs1", "rs2", "rs3"), n.keySet(), "restored: " + n);
    }

    @Test
    @Order(2)
    void aSecondAgentIsRefused() {
        var r = io.xdplb.testing.JavaCli.run(List.of(), "--instance", LB, "agent");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("another xdplb agent (pid " + agent.process.pid() + ") already runs instance " + LB),
                r.err());
    }

    @Test
    @Order(3)
    void aStoppedServerIsTakenOutAndComesBack() throws Exception {
        Path pidFile = Path.of("/run/xdplb-testenv", PREFIX, "rs1.pid");
        String pid = Files.readString(pidFile).strip();
        Sh.run("kill", pid).ok();
        AgentProcess.sleep((INTERVAL_S * FALL + 1) * 1000L);
        Map<String, Integer> n = spread();
        assertEquals(30, n.getOrDefault("rs2", 0) + n.getOrDefault("rs3", 0), "30 of 30 answered by the others: " + n);
        assertEquals("down", health("192.0.2.11"));
        agent.await("real 192.0.2.11 of VIP " + VIP + " is down: .*no new flows", 1);

        env.script("up.sh").ok(); // restarts the dead server (idempotent for the rest)
        AgentProcess.sleep((INTERVAL_S * RISE + 1) * 1000L);
        assertEquals("up", health("192.0.2.11"));
        assertTrue(spread().containsKey("rs1"), "rs1 is back in the ring");
    }

    @Test
    @Order(4)
    void aRealThatDoesNotServeTheVipFailsTheTunnelCheck() throws Exception {
        env.exec("rs2", 10, "ip", "addr", "del", "203.0.113.20/32", "dev", "lo").ok();
        try {
            AgentProcess.sleep((INTERVAL_S * FALL + 1) * 1000L);
            assertEquals("down", health("192.0.2.12"));
            Map<String, Integer> n = spread();
            assertEquals(30, n.getOrDefault("rs1", 0) + n.getOrDefault("rs3", 0), "no connection reaches rs2: " + n);
            // a check to the real's own address (keepalived's) would still pass
            assertEquals("rs2", env.curl("http://192.0.2.12/"));
        } finally {
            env.exec("rs2", 10, "ip", "addr", "add", "203.0.113.20/32", "dev", "lo").ok();
        }
        awaitHealth("192.0.2.12", "up", INTERVAL_S * RISE + 2);
    }

    @Test
    @Order(5)
    void changesMadeWhileTheAgentRunsAreApplied() throws Exception {
        // with the CLI: a new checked VIP is picked up and its reals checked, no restart
        xdplb("vip", "add", "203.0.113.21:80/tcp", "--check", "tcp,interval=1s,timeout=500ms,rise=1");
        xdplb("real", "add", "203.0.113.21:80/tcp", "192.0.2.13");
        agent.await("configuration changed: .*\\+ vip 203.0.113.21:80/tcp", 5);
        long end = System.nanoTime() + 5_000_000_000L;
        String state = "";
        while (System.nanoTime() < end && !state.equals("up")) {
            state = JSON.readTree(xdplb("real", "list", "203.0.113.21:80/tcp", "--json").out()).path(0).path("health").path("state").asText();
            AgentProcess.sleep(100);
        }
        assertEquals("up", state);
        assertEquals("rs3", env.curl("http://203.0.113.21/"));

        // by hand: the file is edited directly; the agent brings the maps along
        Path file = Path.of(System.getProperty("xdplb.stateDir", "/tmp/xdplb-test-state"), LB, "config.json");
        String text = Files.readString(file);
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(text);
        for (JsonNode v : root.get("vips")) {
            if (!v.get("vip").asText().equals(VIP)) continue;
            var reals = (com.fasterxml.jackson.databind.node.ArrayNode) v.get("reals");
            for (int i = 0; i < reals.size(); i++) if (reals.get(i).get("address").asText().equals("192.0.2.13")) reals.remove(i);
        }
        Path tmp = file.resolveSibling("edit.tmp");
        Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        agent.await("configuration changed: - real " + VIP + " 192.0.2.13", 5);
        Map<String, Integer> n = spread();
        assertFalse(n.containsKey("rs3"), "rs3 left the VIP: " + n);
        xdplb("real", "add", VIP, "192.0.2.13");
        awaitHealth("192.0.2.13", "up", 5);
    }

    @Test
    @Order(6)
    void aRestartDuringADownloadDropsNothing() throws Exception {
        CompletableFuture<Sh.Result> download = CompletableFuture.supplyAsync(() -> env.exec("client", 60, "curl", "-s",
                "--limit-rate", "4M", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", URL + "big"));
        AgentProcess.sleep(1500);
        assertEquals(143, agent.terminate(), "SIGTERM: exit 143\n" + agent.output());
        assertTrue(agent.output().contains("agent stopped; the data path keeps forwarding"), agent.output());
        agent.close();
        agent = startAgent();
        agent.await("configuration applied", 60);
        Sh.Result r = download.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.exit(), r.err());
        assertEquals("200 " + (24 << 20), r.out().strip());
    }

    private static String scrape() throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + METRICS_PORT + "/metrics")).build();
        var resp = client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, resp.statusCode());
        return resp.body();
    }

    private static void promtoolPasses(String text) throws Exception {
        Path f = Files.createTempFile("xdplb-metrics-", ".prom");
        try {
            Files.writeString(f, text);
            Sh.Result r = Sh.run(List.of("sh", "-c", "promtool check metrics < " + f), 30);
            assertEquals(0, r.exit(), "promtool check metrics: " + r.out() + r.err());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static double sample(String text, String regex) {
        var m = java.util.regex.Pattern.compile("(?m)^" + regex + " (\\S+)$").matcher(text);
        if (!m.find()) throw new AssertionError("no sample /" + regex + "/ in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    @Order(7)
    void afterKillNineTheDataPathForwardsAndANewAgentTakesOver() throws Exception {
        agent.kill9();
        agent.close();
        assertEquals(3, spread().size(), "forwarding goes on without an agent");
        agent = startAgent();
        agent.await("configuration applied", 60);
        String pid = Files.readString(Path.of("/run/xdplb-testenv", PREFIX, "rs3.pid")).strip();
        Sh.run("kill", pid).ok();
        agent.await("real 192.0.2.13 of VIP " + VIP + " is down", INTERVAL_S * FALL + 3);
        env.script("up.sh").ok();
        awaitHealth("192.0.2.13", "up", INTERVAL_S * RISE + 3);
    }

    @Test
    @Order(8)
    void metricsPassPromtoolAndCountTheTraffic() throws Exception {
        String before = scrape();
        promtoolPasses(before);
        String vipPackets = "xdplb_vip_packets_total\\{vip=\"203\\.0\\.113\\.20:80/tcp\"\\}";
        double a = sample(before, vipPackets);
        for (int i = 0; i < 5; i++) assertTrue(env.curl(URL).startsWith("rs"));
        String after = scrape();
        assertTrue(sample(after, vipPackets) >= a + 5 * 3, "5 connections are at least 15 packets more: " + a + " -> "
                + sample(after, vipPackets));
        assertEquals(1.0, sample(after, "xdplb_real_health\\{real=\"192\\.0\\.2\\.11\",state=\"up\",vip=\"203\\.0\\.113\\.20:80/tcp\"\\}"));
        assertTrue(sample(after, "xdplb_health_probes_total\\{real=\"192\\.0\\.2\\.11\",vip=\"203\\.0\\.113\\.20:80/tcp\"\\}") > 0);
        assertTrue(sample(after, "xdplb_health_probe_duration_seconds\\{real=\"192\\.0\\.2\\.11\",vip=\"203\\.0\\.113\\.20:80/tcp\"\\}") > 0);
        assertTrue(sample(after, "xdplb_health_tunnel_packets_total\\{reason=\"encapped\"\\}") > 0, "probes went through the tunnel");
        assertEquals(0.0, sample(after, "xdplb_vip_fail_open\\{vip=\"203\\.0\\.113\\.20:80/tcp\"\\}"));
        assertTrue(after.contains("xdplb_agent_build_info{"), after);
        assertTrue(sample(after, "xdplb_conn_table_capacity_entries") > 0);

        // the same numbers for node_exporter's textfile collector, from the CLI
        String text = xdplb("stats", "--format", "prometheus").out();
        promtoolPasses(text);
        assertTrue(sample(text, vipPackets) >= sample(after, vipPackets));
    }
}
