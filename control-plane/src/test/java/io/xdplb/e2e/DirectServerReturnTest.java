package io.xdplb.e2e;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole story on one machine: a client curls VIPs, the director's XDP program
 * encapsulates to real servers in other namespaces, their decap program strips the tunnel,
 * and they answer the client directly, never through the director.
 */
@RootOnly
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectServerReturnTest {
    private static final String PREFIX = "xe";
    private static final List<String> REALS4 = List.of("192.0.2.11", "192.0.2.12", "192.0.2.13");
    private static final List<String> REALS6 = List.of("2001:db8:1::11", "2001:db8:1::12", "2001:db8:1::13");
    private static final List<String> NAMES = List.of("rs1", "rs2", "rs3");
    private static TestEnv env;

    static Cli.Result xdplb(String... args) {
        return Cli.inInstance(PREFIX, args).ok();
    }

    @BeforeAll
    static void buildTheNetwork() {
        env = new TestEnv(PREFIX);
        xdplb("attach", "--iface", "eth0", "--netns", env.ns("dir"), "--max-vips", "8", "--ring-size", "1021");
        vip("203.0.113.10:80/tcp", "ipip", REALS4);          // 4in4
        vip("203.0.113.11:80/tcp", "gue", REALS4);           // GUE over IPv4
        vip("[2001:db8:f::10]:80/tcp", "ipip", REALS6);      // 6in6
        vip("[2001:db8:f::11]:80/tcp", "gue", REALS4);       // an IPv6 VIP reaching IPv4 reals (GUE 6-in-4)
        vip("203.0.113.12:80/tcp", "ipip", REALS4);          // for the removal/drain test
        for (int i = 1; i <= 3; i++) {
            xdplb("realserver", "setup", "--iface", "eth0", "--netns", env.ns("rs" + i), "--vip", "203.0.113.10",
                    "--vip", "203.0.113.11", "--vip", "203.0.113.12", "--vip", "2001:db8:f::10", "--vip", "2001:db8:f::11");
        }
    }

    private static void vip(String vip, String encap, List<String> reals) {
        xdplb("vip", "add", vip, "--encap", encap);
        for (String r : reals) xdplb("real", "add", vip, r);
    }

    @AfterAll
    static void tearDown() {
        if (env == null) return;
        env.close();
        assertTrue(Sh.run("ip", "netns", "list").out().lines().noneMatch(l -> l.startsWith(PREFIX + "-")),
                "down.sh leaves no namespace");
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", PREFIX)), "down.sh leaves no pins");
        assertFalse(Files.exists(Path.of("/run/xdplb", PREFIX)), "down.sh leaves no real-server records");
        assertFalse(Files.exists(Path.of("/run/xdplb-testenv", PREFIX)), "down.sh leaves no pid files");
        assertEquals("", Sh.run("pgrep", "-f", "xdplb-testenv/" + PREFIX + "/").out(), "down.sh leaves no HTTP server");
    }

    /** 30 new connections to the URL: how many answers each real gave. */
    private static Map<String, Integer> spread(String url) {
        Map<String, Integer> n = new TreeMap<>();
        for (int i = 0; i < 30; i++) n.merge(env.curl(url), 1, Integer::sum);
        return n;
    }

    private static void assertEveryRealAnswers(String url) {
        Map<String, Integer> n = spread(url);
        assertEquals(NAMES, List.copyOf(n.keySet()), url + ": " + n);
    }

    @Test
    @Order(1)
    void ipv4OverIpip() {
        assertEveryRealAnswers("http://203.0.113.10/");
    }

    @Test
    @Order(2)
    void ipv4OverGue() {
        assertEveryRealAnswers("http://203.0.113.11/");
    }

    @Test
    @Order(3)
    void ipv6OverIpip() {
        assertEveryRealAnswers("http://[2001:db8:f::10]/");
    }

    @Test
    @Order(4)
    void ipv6VipToIpv4RealsOverGue() {
        assertEveryRealAnswers("http://[2001:db8:f::11]/");
    }

    @Test
    @Order(5)
    void repliesBypassTheDirector() throws Exception {
        String router = env.ns("router");
        long txBefore = directorCounter("tx");
        String replies = "tcp src port 80 and src host 203.0.113.10";
        try (Capture atDirector = new Capture(router, "d-dir", replies);
             Capture fromReals = new Capture(router, "br0", replies)) {
            for (int i = 0; i < 10; i++) assertTrue(NAMES.contains(env.curl("http://203.0.113.10/")));
            List<String> fromVip = fromReals.stop();
            List<String> viaDirector = atDirector.stop();
            assertTrue(fromVip.size() >= 10, "the reals' replies cross the server LAN: " + fromVip.size());
            assertEquals(List.of(), viaDirector, "no reply traffic on the director's port");
        }
        assertTrue(directorCounter("tx") - txBefore >= 40, "the director encapsulated the requests (XDP_TX)");
    }

    private static long directorCounter(String name) throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(xdplb("stats", "--json").out());
        return json.path("global").path(name).path("packets").asLong();
    }

    @Test
    @Order(6)
    void aLongLivedConnectionSurvivesRemovalAndDrainWhileNewOnesMove() throws Exception {
        String vip = "203.0.113.12:80/tcp";
        try (HttpConnection conn = new HttpConnection(env.ns("client"), "203.0.113.12", 80)) {
            String mine = conn.get();
            assertTrue(NAMES.contains(mine), mine);
            int m = NAMES.indexOf(mine);
            int other = (m + 1) % 3;
            int third = (m + 2) % 3;

            xdplb("real", "del", vip, REALS4.get(other));
            assertEquals(mine, conn.get(), "the open connection keeps its real");
            Map<String, Integer> after = spread("http://203.0.113.12/");
            assertFalse(after.containsKey(NAMES.get(other)), "new connections avoid the removed real: " + after);

            xdplb("real", "add", vip, REALS4.get(m), "--weight", "0");
            assertEquals(mine, conn.get(), "a drained real keeps its connections");
            Map<String, Integer> drained = spread("http://203.0.113.12/");
            assertEquals(Map.of(NAMES.get(third), 30), drained, "new connections go to the only active real");
        }
        assertNotEquals(0, directorCounter("conn_hit"), "the connection table carried the open connection");
    }

    @Test
    @Order(7)
    void theConnectionTableAndLiveRatesAreReadable() throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var ct = mapper.readTree(xdplb("dump", "conn_table", "--limit", "2").out()).path("conn_table");
        assertEquals(2, ct.path("shown").asInt(), ct.toString());
        for (var flow : ct.path("flows")) {
            assertTrue(flow.path("client").asText().startsWith("198.51.100.2:")
                    || flow.path("client").asText().startsWith("[2001:db8:c::2]:"), flow.toString());
            assertTrue(flow.path("vip").asText().endsWith(":80/tcp"), flow.toString());
            assertTrue(REALS4.contains(flow.path("real").asText()) || REALS6.contains(flow.path("real").asText()), flow.toString());
        }

        // two readings a second apart while traffic flows: the second carries rates over the interval
        Thread traffic = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 10; i++) env.curl("http://203.0.113.10/");
        });
        String out = xdplb("stats", "--json", "--watch", "1", "--count", "2").out();
        traffic.join();
        List<com.fasterxml.jackson.databind.JsonNode> readings =
                mapper.readerFor(com.fasterxml.jackson.databind.JsonNode.class)
                        .<com.fasterxml.jackson.databind.JsonNode>readValues(out).readAll();
        assertEquals(2, readings.size(), out);
        assertEquals(2, out.lines().count(), "one JSON object per line (JSON Lines): " + out);
        assertTrue(readings.get(0).path("intervalSeconds").isMissingNode(), "the first reading has no rates");
        var first = java.time.Instant.parse(readings.get(0).path("time").asText());
        var second = readings.get(1);
        var gap = java.time.Duration.between(first, java.time.Instant.parse(second.path("time").asText()));
        assertTrue(gap.toMillis() >= 1000 && gap.toMillis() < 5000, "readings a second apart, by their time: " + gap);
        assertTrue(second.path("intervalSeconds").asDouble() >= 1.0, second.toString());
        assertTrue(second.path("global").path("tx").path("pps").asDouble() > 0, "packets were sent during the interval");
        double bytesPerSecond = 0;
        for (var vip : second.path("vips")) bytesPerSecond += vip.path("bytesPerSecond").asDouble();
        double bytes = 0;
        for (var vip : second.path("vips")) bytes += vip.path("bytes").asDouble();
        for (var vip : readings.get(0).path("vips")) bytes -= vip.path("bytes").asDouble();
        assertEquals(bytes / second.path("intervalSeconds").asDouble(), bytesPerSecond, 1e-6 * Math.max(1, bytes),
                "bytesPerSecond is bytes (not bits) over the interval");
    }
}
