package io.xdplb.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.e2e.AgentProcess;
import io.xdplb.e2e.Capture;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real servers in Docker containers, set up with `xdplb realserver setup --container NAME`:
 * a client curls an IPv4 VIP (IPIP) and an IPv6 VIP (GUE to the containers' IPv4
 * addresses), the director's XDP program sends every new connection to one of three
 * containers on a user-defined Docker network, and each container answers the client
 * directly. With the agent's health checks (through the tunnel), a stopped container gets no
 * new connections; started again it has a new namespace: status says its set-up is stale, and
 * `realserver setup --container` again makes it serve again. The engine is the test's own, in a network
 * namespace (DockerInNetns); everything is removed at the end, and the test checks that.
 */
@RootOnly
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerRealServersTest {
    private static final String INSTANCE = "xc";
    private static final String VIP4 = "203.0.113.10";
    private static final String VIP6 = "2001:db8:f::11";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Health checks shorter than the defaults, so the test takes seconds: interval 1 s, fall 2, rise 2. */
    private static final String CHECK = "http,interval=1s,timeout=500ms,rise=2,fall=2";
    private static final int INTERVAL_S = 1, FALL = 2, RISE = 2;
    private static final List<String> VIPS = List.of(VIP4 + ":80/tcp", "[" + VIP6 + "]:80/tcp");

    private static DockerInNetns engine;
    private static AgentProcess agent;
    private static ContainerLab lab;
    private static RealServerContainers reals;

    static Cli.Result xdplb(String... args) {
        return Cli.inInstance(INSTANCE, args).ok();
    }

    @BeforeAll
    static void start() {
        org.junit.jupiter.api.Assumptions.assumeTrue(RealServerContainers.staticBusybox(),
                "busybox-static is not installed (make deps installs it): the container tier is SKIPPED");
        engine = DockerInNetns.start("xc-docker");
        try {
            lab = new ContainerLab("xc", engine.netns);
            reals = new RealServerContainers(engine.netns, 3);
            xdplb("attach", "--iface", "eth0", "--netns", lab.director(), "--max-vips", "4", "--ring-size", "1021");
            // the director XDP_TXes into its veth: the peer delivers XDP frames only with a program of its own
            xdplb("pass", "attach", "--iface", ContainerLab.ROUTER_DIRECTOR_PORT, "--netns", engine.netns);
            xdplb("vip", "add", VIP4 + ":80/tcp", "--encap", "ipip", "--check", CHECK);
            xdplb("vip", "add", "[" + VIP6 + "]:80/tcp", "--encap", "gue", "--check", CHECK);
            for (String a : reals.addresses4) {
                xdplb("real", "add", VIP4 + ":80/tcp", a);
                xdplb("real", "add", "[" + VIP6 + "]:80/tcp", a);
            }
            for (String name : reals.names) setup(name);
        } catch (RuntimeException | AssertionError e) {
            try {
                stopEverything();
            } catch (RuntimeException | AssertionError cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static Cli.Result setup(String container) {
        return xdplb("realserver", "setup", "--container", container, "--iface", "eth0", "--vip", VIP4, "--vip", VIP6);
    }

    @AfterAll
    static void stopEverything() {
        List<String> problems = new ArrayList<>();
        if (agent != null) {
            agent.close();
            // the agent's lock and health results stay for the CLI once it stopped: the test started it, so removes them
            for (String f : List.of("health.json", "agent.lock")) {
                try {
                    Files.deleteIfExists(Path.of("/run/xdplb", INSTANCE, f));
                } catch (java.io.IOException e) {
                    problems.add("cannot remove the agent's " + f + ": " + e.getMessage());
                }
            }
        }
        agent = null;
        if (reals != null) {
            for (String name : reals.names) {
                Cli.Result r = Cli.inInstance(INSTANCE, "realserver", "teardown", "--container", name, "--iface", "eth0");
                if (r.exit() != 0) problems.add("teardown " + name + ": " + r.err());
            }
            reals.close();
            List<String> left = RealServerContainers.leftovers();
            if (!left.isEmpty()) problems.add("the engine still has " + left);
        }
        if (lab != null) {
            Cli.inInstance(INSTANCE, "pass", "detach", "--iface", ContainerLab.ROUTER_DIRECTOR_PORT, "--netns", engine.netns);
            Cli.inInstance(INSTANCE, "detach", "--iface", "eth0", "--netns", lab.director());
            lab.close();
        }
        if (engine != null) engine.close();
        Cli.forgetInstance(INSTANCE);
        if (engine != null) {
            if (DockerInNetns.anythingRunning()) problems.add("dockerd or containerd still runs");
            if (DockerInNetns.rootLeft()) problems.add(DockerInNetns.ROOT + " is left");
            if (Sh.run("ip", "netns", "list").out().lines().anyMatch(l -> l.startsWith("xc-"))) {
                problems.add("namespaces are left: " + Sh.run("ip", "netns", "list").out());
            }
            if (Files.exists(Path.of("/sys/fs/bpf/xdplb", INSTANCE))) problems.add("pins are left");
            Path run = Path.of("/run/xdplb", INSTANCE);
            if (Files.exists(run)) {
                try (var left = Files.walk(run)) {
                    problems.add("run-time state is left: " + left.map(Path::toString).toList());
                } catch (java.io.IOException e) {
                    problems.add("run-time state is left in " + run);
                }
            }
        }
        engine = null;
        lab = null;
        reals = null;
        assertEquals(List.of(), problems, "the container tier leaves nothing behind");
    }

    /** 30 new connections to the URL: how many answers each container gave. */
    private static Map<String, Integer> spread(String url) {
        Map<String, Integer> n = new TreeMap<>();
        for (int i = 0; i < 30; i++) n.merge(lab.curl(url), 1, Integer::sum);
        return n;
    }

    private static void assertEveryContainerAnswers(String url) {
        Map<String, Integer> n = spread(url);
        assertEquals(reals.names, List.copyOf(n.keySet()), url + ": " + n);
    }

    @Test
    @Order(1)
    void ipv4VipOverIpipReachesEveryContainer() {
        assertEveryContainerAnswers("http://" + VIP4 + "/");
    }

    @Test
    @Order(2)
    void ipv6VipOverGueReachesEveryIpv4Container() {
        assertEveryContainerAnswers("http://[" + VIP6 + "]/");
    }

    @Test
    @Order(3)
    void repliesBypassTheDirector() throws Exception {
        long txBefore = directorCounter("tx");
        String replies = "tcp src port 80 and (src host " + VIP4 + " or src host " + VIP6 + ")";
        try (Capture atDirector = new Capture(engine.netns, ContainerLab.ROUTER_DIRECTOR_PORT, replies);
             Capture onBridge = new Capture(engine.netns, reals.bridge(), replies)) {
            for (int i = 0; i < 5; i++) {
                assertTrue(reals.names.contains(lab.curl("http://" + VIP4 + "/")));
                assertTrue(reals.names.contains(lab.curl("http://[" + VIP6 + "]/")));
            }
            List<String> fromContainers = onBridge.stop();
            List<String> viaDirector = atDirector.stop();
            assertTrue(fromContainers.size() >= 10, "the containers' replies cross the Docker bridge: " + fromContainers.size());
            assertEquals(List.of(), viaDirector, "no reply on the director's link");
        }
        assertTrue(directorCounter("tx") - txBefore >= 40, "the director encapsulated the requests (XDP_TX)");
    }

    private static long directorCounter(String name) throws Exception {
        return JSON.readTree(xdplb("stats", "--json").out()).path("global").path(name).path("packets").asLong();
    }

    private static JsonNode realServerStatus(String container) throws Exception {
        for (JsonNode r : JSON.readTree(Cli.run("status", "--json").out()).path("realservers")) {
            if (r.path("instance").asText().equals(INSTANCE) && r.path("netns").asText().equals("container:" + container)) {
                return r;
            }
        }
        throw new AssertionError("status lists no set-up of container " + container);
    }

    @Test
    @Order(4)
    void statusShowsTheContainerSetUps() throws Exception {
        for (String name : reals.names) {
            JsonNode r = realServerStatus(name);
            assertEquals("set up", r.path("state").asText(), r.toString());
            assertEquals("eth0", r.path("iface").asText(), r.toString());
        }
    }

    @Test
    @Order(5)
    void doctorFindsTheContainerSetUpsSound() throws Exception {
        Cli.Result r = Cli.inInstance(INSTANCE, "doctor", "--json", "--interval", "0.2");
        List<String> bad = new ArrayList<>();
        int seen = 0;
        for (JsonNode c : JSON.readTree(r.out()).path("checks")) {
            if (!c.path("where").asText().contains("(container xc-rs")) continue;
            seen++;
            if (c.path("status").asText().equals("fail")) bad.add(c.toString());
        }
        assertTrue(seen >= 3, "doctor looked at the containers: " + r.out());
        assertEquals(List.of(), bad, "doctor's checks of the containers");
    }

    private static String health(String vip, String real) throws Exception {
        for (JsonNode r : JSON.readTree(xdplb("real", "list", vip, "--json").out())) {
            if (r.path("address").asText().equals(real)) return r.path("health").path("state").asText();
        }
        throw new AssertionError("VIP " + vip + " has no real " + real);
    }

    private static void awaitHealth(String real, String state, int seconds) throws Exception {
        for (String vip : VIPS) {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (!health(vip, real).equals(state) && System.nanoTime() < end) AgentProcess.sleep(100);
            assertEquals(state, health(vip, real), real + " of " + vip + " within " + seconds + " s\n" + agent.output());
        }
    }

    /** 30 new connections to each VIP are all answered, none of them by container name. */
    private static void assertTheOthersAnswerEverything(String name) {
        for (String url : List.of("http://" + VIP4 + "/", "http://[" + VIP6 + "]/")) {
            Map<String, Integer> n = spread(url);
            List<String> others = reals.names.stream().filter(o -> !o.equals(name)).toList();
            assertEquals(30, others.stream().mapToInt(o -> n.getOrDefault(o, 0)).sum(),
                    url + ": 30 of 30 answered by " + others + ": " + n);
        }
    }

    @Test
    @Order(10)
    void aStoppedContainerIsTakenOutByHealthChecksAndServesAgainOnceSetUpInItsNewNamespace() throws Exception {
        agent = AgentProcess.start(INSTANCE);
        agent.await("configuration applied", 60);
        for (String a : reals.addresses4) awaitHealth(a, "up", 10);

        String name = reals.names.get(1);
        String address = reals.addresses4.get(1);
        int pidBefore = reals.pid(name);
        reals.stop(name);
        assertEquals("stale: container " + name + " is not running", realServerStatus(name).path("state").asText());
        awaitHealth(address, "down", INTERVAL_S * FALL + 3);
        assertTheOthersAnswerEverything(name);

        reals.start(name);
        assertNotEquals(pidBefore, reals.pid(name), "a new process, so a new namespace");
        String state = realServerStatus(name).path("state").asText();
        assertTrue(state.startsWith("stale: container " + name + " was restarted"), state);
        // serving HTTP on its own address, but not set up in its new namespace (no VIP on lo, no
        // decap): the checks through the tunnel keep failing, and new connections keep avoiding it
        AgentProcess.sleep((INTERVAL_S * RISE + 1) * 1000L);
        assertEquals("down", health(VIPS.get(0), address));
        assertTheOthersAnswerEverything(name);

        Cli.Result again = setup(name);
        assertTrue(again.out().contains("real server set up on eth0 (container " + name + ")"), again.out());
        assertEquals("set up", realServerStatus(name).path("state").asText());
        awaitHealth(address, "up", INTERVAL_S * RISE + 3);
        assertEveryContainerAnswers("http://" + VIP4 + "/");
        assertEveryContainerAnswers("http://[" + VIP6 + "]/");
        assertEquals(143, agent.terminate(), "SIGTERM: exit 143\n" + agent.output());
    }
}
