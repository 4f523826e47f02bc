package io.xdplb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.xdplb.model.Config;
import io.xdplb.model.ConfigJson;
import io.xdplb.model.Encap;
import io.xdplb.model.Real;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;
import io.xdplb.testing.JavaCli;
import io.xdplb.testing.RootOnly;
import io.xdplb.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 9, concurrency: many `xdplb` processes at once on one instance. The operations are
 * chosen to commute (the applied file already holds every other process's change), so with no
 * lost update the end state is known whatever order the lock gives them.
 */
@RootOnly
class ConcurrencyTest {
    private static final String BASE = "192.0.2.10:80/tcp";
    private Lab lab;

    @BeforeEach
    void setUp() {
        lab = new Lab("t-conc-" + ProcessHandle.current().pid());
    }

    @AfterEach
    void tearDown() {
        lab.close();
    }

    private List<Sh.Result> runAll(List<String[]> commands) throws Exception {
        List<String> cp = JavaCli.runtimeClassPath();
        CyclicBarrier start = new CyclicBarrier(commands.size());
        List<Future<Sh.Result>> runs = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(commands.size())) {
            for (String[] c : commands) {
                String[] all = new String[c.length + 2];
                all[0] = "--instance";
                all[1] = lab.instance;
                System.arraycopy(c, 0, all, 2, c.length);
                runs.add(pool.submit(() -> {
                    start.await();
                    return JavaCli.run(List.of(), cp, all);
                }));
            }
            List<Sh.Result> out = new ArrayList<>();
            for (Future<Sh.Result> f : runs) out.add(f.get());
            return out;
        }
    }

    /** 16 processes: 6 vip add, 5 real add, 3 real del, 2 apply; nothing lost, the maps equal the file. */
    @Test
    void sixteenMixedProcessesLoseNoUpdate(@TempDir Path tmp) throws Exception {
        lab.attach().ok();
        lab.ok("vip", "add", BASE);
        for (int i = 1; i <= 4; i++) lab.ok("real", "add", BASE, "198.51.100." + i);

        Config want = ConfigJson.parse(lab.ok("export"), "export");
        Vip base = Vip.parse(BASE);
        List<String[]> commands = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            Vip v = Vip.parse("192.0.2." + (50 + i) + ":80/tcp");
            commands.add(new String[] {"vip", "add", v.toString()});
            want = want.withVip(VipConfig.of(v, Encap.IPIP, Set.of()));
        }
        for (int i = 1; i <= 5; i++) {
            String a = "198.51.100." + (20 + i);
            commands.add(new String[] {"real", "add", BASE, a});
            want = want.withReal(base, new Real(InetAddress.ofLiteral(a), 1));
        }
        for (int i = 1; i <= 3; i++) {
            String a = "198.51.100." + i;
            commands.add(new String[] {"real", "del", BASE, a});
            want = want.withoutReal(base, InetAddress.ofLiteral(a));
        }
        Path f = tmp.resolve("want.json");
        Files.writeString(f, ConfigJson.write(want));
        commands.add(new String[] {"apply", "-f", f.toString()});
        commands.add(new String[] {"apply", "-f", f.toString()});

        List<Sh.Result> results = runAll(commands);
        for (int i = 0; i < results.size(); i++) {
            Sh.Result r = results.get(i);
            // an add or del that runs after an apply finds its change already made: that is not lost, just done
            boolean alreadyDone = r.err().contains("already") || r.err().contains("has no real");
            assertEquals(true, r.exit() == 0 || alreadyDone, String.join(" ", commands.get(i)) + ": " + r.err());
        }
        assertEquals(MapsView.expected(ConfigJson.write(want)), MapsView.expected(lab.configBytes()),
                "the file holds every process's change");
        assertEquals(MapsView.expected(lab.configBytes()),
                MapsView.ofDump(lab.json("dump", "vip2tnl", "vip_addrs", "reals", "ring")), "the maps equal the file");
    }

    /** Finding 10: 8 parallel `pass attach` on one instance all succeed (check and pin under the instance's lock). */
    @Test
    void eightParallelPassAttachesAllSucceed() throws Exception {
        List<String[]> commands = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            lab.ns.vethPair("p" + i + "a", "p" + i + "b");
            commands.add(new String[] {"pass", "attach", "--iface", "p" + i + "a", "--netns", lab.ns.name()});
        }
        try {
            List<Sh.Result> results = runAll(commands);
            for (int i = 0; i < 8; i++) assertEquals(0, results.get(i).exit(), "pass attach p" + i + "a: " + results.get(i).err());
            int attached = 0;
            for (JsonNode a : lab.json("status", "--json").path("attachments")) {
                if (a.path("instance").asText().equals(lab.instance) && a.path("program").asText().equals("pass")
                        && a.path("state").asText().equals("attached")) attached++;
            }
            assertEquals(8, attached);
        } finally {
            for (int i = 0; i < 8; i++) lab.xdplb("pass", "detach", "--iface", "p" + i + "a", "--netns", lab.ns.name());
        }
    }
}
