package io.xdplb.realserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.model.Config;
import io.xdplb.model.ConfigJson;
import io.xdplb.testing.Cli;
import io.xdplb.testing.JavaCli;
import io.xdplb.testing.RootOnly;
import io.xdplb.testing.TestNetns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash consistency of `realserver setup` and `teardown`: each run is killed (SIGKILL) at a random
 * moment, alternating between the two; after every kill the configuration file is whole and either
 * the old or the new state, and `apply -f` of it converges: set up exactly as a fresh setup would,
 * or torn down with every sysctl, lo address, pin and record gone back to what was there before.
 * Bounded: a fixed number of kill points, each a CLI run in its own JVM.
 */
@RootOnly
class RealServerCrashTest {
    private static final int KILL_POINTS = 12;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String instance = "t-rsc-" + ProcessHandle.current().pid();
    /** -Dxdplb.crashSeed=N replays a run's kill points (the seed is printed). */
    private final long seed = Long.getLong("xdplb.crashSeed", System.nanoTime());
    private final Random random = new Random(seed);
    private TestNetns ns;
    private String loBefore;

    @BeforeEach
    void setUp() {
        ns = new TestNetns().vethPair("eth0", "peer0");
        ns.ip("addr", "add", "192.0.2.11/24", "dev", "eth0");
        ns.sysctl("net.ipv4.conf.all.arp_announce", "1");
        ns.sysctl("net.ipv4.conf.eth0.rp_filter", "1");
        loBefore = ns.loAddresses();
    }

    @AfterEach
    void tearDown() {
        Cli.run("--instance", instance, "realserver", "teardown", "--iface", "eth0", "--netns", ns.name());
        ns.close();
        Cli.forgetInstance(instance);
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance)), "pins left behind");
        assertFalse(Files.exists(RealServerState.root().resolve(instance)), "records left behind");
    }

    private List<String> command(String verb) {
        return verb.equals("setup")
                ? JavaCli.command(JavaCli.runtimeClassPath(), "--instance", instance, "realserver", "setup", "--iface", "eth0",
                        "--netns", ns.name(), "--vip", "203.0.113.10", "--vip", "2001:db8:f::10", "--mode", "generic")
                : JavaCli.command(JavaCli.runtimeClassPath(), "--instance", instance, "realserver", "teardown", "--iface", "eth0",
                        "--netns", ns.name());
    }

    /**
     * The moment the command starts changing things: setup writes its record before anything else,
     * teardown first detaches decap (its link pin goes). JVM start-up before that varies more than the
     * work after it lasts, so kill points are placed relative to this moment.
     */
    private boolean started(String verb) {
        Path record = RealServerState.dir(instance).resolve("eth0@" + ns.name() + ".json");
        Path link = Path.of("/sys/fs/bpf/xdplb", instance, "links", "eth0@" + ns.name());
        return verb.equals("setup") ? Files.exists(record) : !Files.exists(link);
    }

    private Process start(String verb) throws Exception {
        return new ProcessBuilder(command(verb)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Runs the command to its end; how long its work lasted, from {@link #started} to its exit (ns). */
    private long workTime(String verb) throws Exception {
        Process p = start(verb);
        while (!started(verb) && p.isAlive()) Thread.onSpinWait();
        long t0 = System.nanoTime();
        assertEquals(0, p.waitFor(), verb + " failed");
        return System.nanoTime() - t0;
    }

    /**
     * Runs the command and kills it: mostly at a random moment of its work, sometimes while the JVM
     * still starts (before it changed anything) or after it is done.
     */
    private void killedDuring(String verb, long work) throws Exception {
        Process p = start(verb);
        if (random.nextInt(8) == 0) {
            Thread.sleep(random.nextInt(400));
        } else {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!started(verb) && p.isAlive() && System.nanoTime() < deadline) Thread.onSpinWait();
            long until = System.nanoTime() + (long) (work * 1.1 * random.nextDouble());
            while (System.nanoTime() < until && p.isAlive()) Thread.onSpinWait();
        }
        p.destroyForcibly();
        p.waitFor();
    }

    /** The file is whole, and it is the state before the command or after it. */
    private Config configIsOldOrNew() throws Exception {
        Path file = Path.of(System.getProperty("xdplb.stateDir", "/tmp/xdplb-test-state"), instance, "config.json");
        if (!Files.exists(file)) return Config.EMPTY;
        Config c = ConfigJson.parse(Files.readString(file), file.toString());
        assertTrue(c.realservers().size() <= 1, c.realservers().toString());
        return c;
    }

    private void assertSetUp() throws Exception {
        Cli.Result status = Cli.run("status", "--json");
        assertEquals(0, status.exit(), status.out());
        boolean listed = false;
        for (JsonNode s : JSON.readTree(status.out()).path("realservers")) {
            if (s.path("instance").asText().equals(instance)) {
                listed = true;
                assertEquals("set up", s.path("state").asText());
            }
        }
        assertTrue(listed);
        JsonNode xdp = JSON.readTree(ns.ip("-j", "link", "show", "dev", "eth0").out()).get(0).path("xdp");
        assertEquals("decap", xdp.path("prog").path("name").asText(), xdp.toString());
        assertEquals("1", ns.sysctl("net.ipv4.conf.all.arp_ignore"));
        assertEquals("2", ns.sysctl("net.ipv4.conf.all.arp_announce"));
        assertEquals("2", ns.sysctl("net.ipv4.conf.eth0.rp_filter"));
        assertTrue(ns.loAddresses().contains("203.0.113.10/32") && ns.loAddresses().contains("2001:db8:f::10/128"), ns.loAddresses());
    }

    private void assertTornDown() {
        assertEquals("0", ns.sysctl("net.ipv4.conf.all.arp_ignore"));
        assertEquals("1", ns.sysctl("net.ipv4.conf.all.arp_announce"));
        assertEquals("0", ns.sysctl("net.ipv4.conf.eth0.arp_ignore"));
        assertEquals("1", ns.sysctl("net.ipv4.conf.eth0.rp_filter"));
        assertEquals(loBefore, ns.loAddresses());
        assertFalse(Files.exists(RealServerState.dir(instance)), "no record");
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/xdplb", instance, "decap")), "no decap pin");
    }

    @Test
    void setupAndTeardownKilledAtRandomMomentsAlwaysConverge() throws Exception {
        // how long a whole run takes here, so the kill points spread over it
        long setupTime = workTime("setup");
        assertSetUp();
        long teardownTime = workTime("teardown");
        assertTornDown();

        boolean setUp = false;
        int halfDone = 0; // kills that left a record stale, incomplete or defunct (status exit 3)
        Path export = Files.createTempFile("xdplb-crash-", ".json");
        try {
            for (int i = 0; i < KILL_POINTS; i++) {
                String verb = setUp ? "teardown" : "setup";
                long full = setUp ? teardownTime : setupTime;
                killedDuring(verb, full);

                Config c = configIsOldOrNew();
                int statusBefore = Cli.run("status").exit();
                if (statusBefore != 0) halfDone++;
                Files.writeString(export, ConfigJson.write(c));
                Cli.Result apply = Cli.inInstance(instance, "apply", "-f", export.toString());
                assertEquals(0, apply.exit(), "kill point " + i + " (" + verb + "): " + apply.err());
                setUp = !c.realservers().isEmpty();
                if (setUp) assertSetUp();
                else assertTornDown();
                assertEquals("nothing to do\n", Cli.inInstance(instance, "apply", "-f", export.toString()).out(),
                        "kill point " + i + ": converged");
            }
        } finally {
            Files.delete(export);
        }
        System.out.println("RealServerCrashTest: " + KILL_POINTS + " kill points, " + halfDone + " left a half-done set-up"
                + " (seed " + seed + "; work lasts " + setupTime / 1_000_000 + " ms in setup, " + teardownTime / 1_000_000 + " ms in teardown)");
        assertTrue(halfDone > 0, "no kill point landed inside the work: the tier tested nothing");
        if (setUp) Cli.inInstance(instance, "realserver", "teardown", "--iface", "eth0", "--netns", ns.name()).ok();
        assertTornDown();
    }
}
