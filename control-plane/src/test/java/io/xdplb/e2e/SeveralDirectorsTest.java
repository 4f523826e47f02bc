package io.xdplb.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.service.Instance;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two directors behind a router that learns the VIP over BGP from each (BIRD 2 on both
 * sides, the directors' speakers run by xdplb) and spreads flows over them with ECMP:
 * long-lived connections survive a director killed hard, a director whose reals are all down
 * withdraws while the other serves, and a real added on both keeps every open connection on
 * its real.
 */
@RootOnly
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeveralDirectorsTest {
    private static final String PREFIX = "xh";
    private static final String VIP = "203.0.113.10:80/tcp";
    private static final String VIP_ADDR = "203.0.113.10";
    private static final List<String> REALS = List.of("192.0.2.11", "192.0.2.12", "192.0.2.13");
    private static final String FOURTH_REAL = "192.0.2.14";
    private static final int HOLD_TIME = 3;
    private static final int CONNECTIONS = 60;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestEnv env;
    private static final List<LabDirector> directors = new ArrayList<>();

    /** One director: instance PREFIX-dirI attached in namespace PREFIX-dirI, and its agent (which runs its speaker). */
    static final class LabDirector {
        final String name;
        final String address;
        AgentProcess agent;

        LabDirector(int i) {
            this.name = PREFIX + "-dir" + i;
            this.address = "192.0.2." + (100 + i);
        }

        Cli.Result xdplb(String... args) {
            return Cli.inInstance(name, args).ok();
        }

        Instance instance() {
            return Instance.named(name);
        }

        /** `xdplb --instance PREFIX-dirI agent`, as systemd would run it; it applies the file and announces. */
        void startAgent() {
            agent = AgentProcess.start(name);
            agent.await("BGP: announcing " + VIP_ADDR, 60);
        }

        long speakerPid() throws Exception {
            return Long.parseLong(Files.readString(instance().runDir().resolve("bgp/bird.pid")).strip());
        }

        /**
         * Takes its link down (the router's switch port), then kills its agent and speaker with
         * SIGKILL: like a director that loses power, nothing reaches the router (not even the FIN
         * of the BGP session's socket), so it notices only when the hold time runs out.
         */
        void killHard() throws Exception {
            long pid = speakerPid();
            Sh.run("ip", "-n", env.ns("router"), "link", "set", port(), "down").ok();
            agent.kill9();
            Sh.run("kill", "-9", "" + pid).ok();
            agent.close();
            agent = null;
        }

        void restore() {
            Sh.run("ip", "-n", env.ns("router"), "link", "set", port(), "up").ok();
            startAgent();
        }

        /** Its port on the router's server LAN bridge. */
        String port() {
            return "d-" + name.substring(PREFIX.length() + 1);
        }

        /** Client ports of the flows in this director's connection table. */
        Set<Integer> clientPorts() throws Exception {
            Set<Integer> ports = new HashSet<>();
            JsonNode ct = JSON.readTree(xdplb("dump", "conn_table", "--limit", "100000").out()).path("conn_table");
            for (JsonNode f : ct.path("flows")) {
                String client = f.path("client").asText();
                ports.add(Integer.parseInt(client.substring(client.lastIndexOf(':') + 1)));
            }
            return ports;
        }

        void stop() {
            if (agent != null) agent.close();
            agent = null;
        }
    }

    @BeforeAll
    static void twoDirectorsBehindBgp(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        env = new TestEnv(PREFIX, 4, 2);
        for (int i = 1; i <= 2; i++) {
            LabDirector d = new LabDirector(i);
            directors.add(d);
            Cli.forgetInstance(d.name);
            // the same file on both directors but for the namespace: what an operator would deploy
            Path file = tmp.resolve(d.name + ".json");
            Files.writeString(file, """
                    {"version": 1,
                     "sizes": {"maxVips": 8, "ringSize": 1021},
                     "director": {"iface": "eth0", "netns": "%s"},
                     "vips": [{"vip": "%s", "reals": [{"address": "%s"}, {"address": "%s"}, {"address": "%s"}],
                               "check": {"kind": "tcp", "interval": "300ms", "timeout": "200ms", "rise": 1, "fall": 2}}],
                     "bgp": {"localAsn": 64497, "holdTime": %d,
                             "peers": [{"address": "192.0.2.1", "asn": 64496}, {"address": "2001:db8:1::1", "asn": 64496}]}}
                    """.formatted(d.name, VIP, REALS.get(0), REALS.get(1), REALS.get(2), HOLD_TIME));
            d.xdplb("apply", "-f", file.toString());
        }
        for (int i = 1; i <= 4; i++) {
            Cli.inInstance(PREFIX, "realserver", "setup", "--iface", "eth0", "--netns", env.ns("rs" + i), "--vip", VIP_ADDR).ok();
        }
        for (LabDirector d : directors) d.startAgent();
        waitFor(() -> nextHops().size() == 2, 15, "the router learns the VIP from both directors: " + routerRoute());
    }

    @AfterAll
    static void tearDown() {
        for (LabDirector d : directors) d.stop();
        if (env != null) env.close();
        for (LabDirector d : directors) Cli.forgetInstance(d.name);
        assertEquals("", Sh.run("pgrep", "-f", "xdplb/" + PREFIX + "-dir").out(), "no speaker left running");
        assertEquals("", Sh.run("pgrep", "-f", "xdplb-testenv/" + PREFIX + "/").out(), "no router BIRD or HTTP server left");
        assertTrue(Sh.run("ip", "netns", "list").out().lines().noneMatch(l -> l.startsWith(PREFIX + "-")), "no namespace left");
    }

    private static String routerRoute() {
        return Sh.run("ip", "-n", env.ns("router"), "route", "show", VIP_ADDR).out();
    }

    /** The directors the router's route to the VIP goes through. */
    private static Set<String> nextHops() {
        Set<String> hops = new HashSet<>();
        for (String line : routerRoute().lines().toList()) {
            var m = java.util.regex.Pattern.compile("via (192\\.0\\.2\\.\\d+)").matcher(line);
            while (m.find()) hops.add(m.group(1));
        }
        return hops;
    }

    private static double waitFor(java.util.function.BooleanSupplier ok, double seconds, String what) {
        long t0 = System.nanoTime();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() - t0 > seconds * 1e9) throw new AssertionError("not within " + seconds + " s: " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static Map<String, Integer> newConnections(int n) {
        Map<String, Integer> got = new TreeMap<>();
        for (int i = 0; i < n; i++) got.merge(env.curl("http://" + VIP_ADDR + "/"), 1, Integer::sum);
        return got;
    }

    @Test
    @Order(1)
    void bothDirectorsAnnounceAgreeAndShareTheTraffic() throws Exception {
        assertEquals(Set.of("192.0.2.101", "192.0.2.102"), nextHops(), routerRoute());
        JsonNode status = JSON.readTree(Cli.run("status", "--json").ok().out());
        Set<String> rings = new HashSet<>();
        for (JsonNode v : status.path("vips")) {
            if (!v.path("instance").asText().startsWith(PREFIX + "-dir")) continue;
            assertEquals(VIP, v.path("vip").asText());
            assertEquals("announced (1/1 peers)", v.path("announcement").asText(), v.toString());
            rings.add(v.path("ringFingerprint").asText());
        }
        assertEquals(1, rings.size(), "both directors show the same ring fingerprint: " + status.path("vips"));
        int established = 0;
        for (JsonNode b : status.path("bgp")) {
            if (b.path("instance").asText().startsWith(PREFIX + "-dir") && b.path("info").asText().startsWith("Established")) established++;
        }
        assertEquals(4, established, "two sessions (IPv4, IPv6) per director are up: " + status.path("bgp"));
        String table = Cli.run("status").ok().out();
        assertTrue(table.contains("BGP PEER") && table.contains("Established"), table);

        try (LongLivedClients clients = new LongLivedClients(env, VIP_ADDR, 80, CONNECTIONS, 3)) {
            Set<Integer> d1 = directors.get(0).clientPorts(), d2 = directors.get(1).clientPorts();
            List<LongLivedClients.Conn> all = clients.report().conns();
            long on1 = all.stream().filter(c -> d1.contains(c.port())).count();
            long on2 = all.stream().filter(c -> d2.contains(c.port())).count();
            assertEquals(CONNECTIONS, on1 + on2, "every connection is on one director");
            assertTrue(on1 >= 10 && on2 >= 10, "ECMP spreads the connections: " + on1 + " on dir1, " + on2 + " on dir2");
        }
    }

    @Test
    @Order(2)
    void connectionsOnAKilledDirectorCarryOnThroughTheOther() throws Exception {
        LabDirector one = directors.get(0), two = directors.get(1);
        // 15 s to answer: while the router still sends to the dead director, TCP retransmits
        try (LongLivedClients clients = new LongLivedClients(env, VIP_ADDR, 80, CONNECTIONS, 15)) {
            Set<Integer> onOne = one.clientPorts();
            Set<Integer> moved = new HashSet<>();
            for (var c : clients.report().conns()) if (onOne.contains(c.port())) moved.add(c.port());
            assertTrue(moved.size() >= 10, "connections on director 1: " + moved.size());
            Thread.sleep(500);

            one.killHard();
            double gone = waitFor(() -> nextHops().equals(Set.of(two.address)), HOLD_TIME + 2,
                    "the router withdraws director 1's route: " + routerRoute());
            assertTrue(gone <= HOLD_TIME + 0.5, "withdrawn after " + gone + " s, hold time " + HOLD_TIME + " s");
            LongLivedClients.Report atWithdrawal = clients.report();

            // every connection gets at least 5 more answers (or fails)
            LongLivedClients.Report after = clients.awaitAnswers(atWithdrawal, 5, 30);
            List<String> failed = new ArrayList<>();
            int resets = 0, carriedOn = 0;
            for (var c : after.conns()) {
                if (!moved.contains(c.port())) continue;
                if (c.reset()) resets++;
                boolean ok = c.error() == null && c.reals().size() == 1 && c.last() > atWithdrawal.now();
                if (ok) carriedOn++;
                else failed.add(c.port() + ": " + (c.error() != null ? c.error() : "reals " + c.reals()));
            }
            assertTrue(carriedOn >= Math.ceil(moved.size() * 0.99), carriedOn + " of " + moved.size()
                    + " connections of director 1 carried on through director 2 (" + resets + " resets): " + failed);
            Set<Integer> onTwo = two.clientPorts();
            assertTrue(onTwo.containsAll(moved), "director 2 now carries director 1's flows");
            assertTrue(after.conns().stream().allMatch(c -> c.error() == null), "no connection failed: "
                    + after.conns().stream().filter(c -> c.error() != null).map(c -> c.port() + " " + c.error()).toList());
            System.out.printf("failover: route withdrawn after %.2f s; %d of %d connections of director 1 carried on, %d resets%n",
                    gone, carriedOn, moved.size(), resets);

            // director 1 back: its flows return to it and still keep their real
            one.restore();
            waitFor(() -> nextHops().size() == 2, 15, "director 1 announces again: " + routerRoute());
            LongLivedClients.Report back = clients.awaitAnswers(clients.report(), 5, 30);
            assertTrue(back.conns().stream().allMatch(c -> c.error() == null && c.reals().size() == 1),
                    "every connection kept its real through the return: " + back.conns().stream()
                            .filter(c -> c.error() != null || c.reals().size() != 1).toList());
        }
    }

    @Test
    @Order(3)
    void aDirectorThatSeesEveryRealDownWithdrawsAndTheOtherServes() throws Exception {
        LabDirector one = directors.get(0), two = directors.get(1);
        // director 2's health probes (ordinary sockets from its namespace) dropped on their way out:
        // in its view every real is down; its data path (XDP, before netfilter) is untouched
        Sh.run("ip", "netns", "exec", two.name, "nft", "add table inet xh; add chain inet xh out { type filter hook output priority 0; };"
                + " add rule inet xh out ip daddr " + VIP_ADDR + " tcp dport 80 drop").ok();
        two.agent.await("BGP: nothing served: every route withdrawn", 20);
        waitFor(() -> nextHops().equals(Set.of(one.address)), HOLD_TIME + 2, "director 2 withdraws: " + routerRoute()
                + "\ndirector 1's agent:\n" + one.agent.output() + "\ndirector 2's agent:\n" + two.agent.output());
        JsonNode status = JSON.readTree(Cli.run("status", "--json").ok().out());
        for (JsonNode v : status.path("vips")) {
            if (v.path("instance").asText().equals(two.name)) assertEquals("withdrawn", v.path("announcement").asText());
            if (v.path("instance").asText().equals(one.name)) assertTrue(v.path("announcement").asText().startsWith("announced"));
        }
        Map<String, Integer> got = newConnections(20);
        assertEquals(20, got.entrySet().stream().filter(e -> e.getKey().startsWith("rs")).mapToInt(Map.Entry::getValue).sum(),
                "director 1 serves every new connection: " + got);
        Sh.run("ip", "netns", "exec", two.name, "nft", "delete table inet xh").ok();
        waitFor(() -> nextHops().size() == 2, 20, "director 2 sees its reals again and announces: " + routerRoute());
    }

    @Test
    @Order(4)
    void aRealAddedOnBothDirectorsKeepsEveryOpenConnectionOnItsReal() throws Exception {
        try (LongLivedClients clients = new LongLivedClients(env, VIP_ADDR, 80, CONNECTIONS, 3)) {
            LongLivedClients.Report before = clients.report();
            for (LabDirector d : directors) d.xdplb("real", "add", VIP, FOURTH_REAL); // each agent applies it
            LongLivedClients.Report after = clients.awaitAnswers(before, 10, 30);
            List<String> moved = after.conns().stream().filter(c -> c.error() != null || c.reals().size() != 1)
                    .map(c -> c.port() + ": " + (c.error() != null ? c.error() : c.reals())).toList();
            assertEquals(List.of(), moved, "established connections keep their real");
        }
        Set<String> rings = new HashSet<>();
        for (LabDirector d : directors) rings.add(JSON.readTree(d.xdplb("vip", "list", "--json").out()).get(0).path("ringFingerprint").asText());
        assertEquals(1, rings.size(), "both directors' rings agree after the change");
        assertTrue(newConnections(30).containsKey("rs4"), "new connections reach the new real");
    }

    @Test
    @Order(5)
    void aStoppedAgentAndADetachedDirectorWithdraw() throws Exception {
        LabDirector one = directors.get(0), two = directors.get(1);
        long speaker = two.speakerPid();
        assertEquals(143, two.agent.terminate(), "SIGTERM: the agent stops (exit 128 + 15)");
        assertTrue(two.agent.output().contains("BGP: every route withdrawn, speaker stopped"), two.agent.output());
        double gone = waitFor(() -> nextHops().equals(Set.of(one.address)), 2, "SIGTERM withdraws at once: " + routerRoute());
        assertTrue(ProcessHandle.of(speaker).isEmpty() || !ProcessHandle.of(speaker).get().isAlive(), "the speaker is stopped");
        System.out.printf("SIGTERM: withdrawn after %.2f s%n", gone);
        two.agent = null;
        two.startAgent();
        waitFor(() -> nextHops().size() == 2, 15, "announced again: " + routerRoute());

        two.xdplb("detach", "--iface", "eth0", "--netns", two.name);
        waitFor(() -> nextHops().equals(Set.of(one.address)), 10, "a detached director withdraws: " + routerRoute());
        two.agent.await("BGP: not attached: nothing announced", 10);
    }
}
