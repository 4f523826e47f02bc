package io.xdplb.cli;

import io.xdplb.model.Config;
import io.xdplb.model.ConfigJson;
import io.xdplb.model.Director;
import io.xdplb.model.Encap;
import io.xdplb.model.Real;
import io.xdplb.model.Sizes;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;
import io.xdplb.testing.Cli;
import io.xdplb.testing.KilledCli;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash consistency of the director (issue 9): `xdplb` processes are killed with SIGKILL at
 * varied moments of `apply -f` of a large file (64 VIPs x 16 reals), `vip add/del`,
 * `real add/del`, `attach` and `detach`. After every kill the configuration file is whole and
 * is either the old or the new state; one `apply -f` of it converges so that `dump` shows
 * exactly the file (VIPs, flags, encaps, reals, slots per real, per-address VIP counts), a
 * second apply has nothing to do, `status` sees nothing stale and no pin is left over.
 */
@RootOnly
class CrashConsistencyTest {
    private static final int KILLS = 40;
    private static final int MAX_ROUNDS = 70;
    private static final Sizes SIZES = new Sizes(80, 4096, 251, 65536);

    private Lab lab;
    private Director director;

    @BeforeEach
    void setUp() {
        lab = new Lab("t-crash-" + ProcessHandle.current().pid());
    }

    @AfterEach
    void tearDown() {
        lab.close();
    }

    private enum Op { APPLY, VIP_ADD, VIP_DEL, REAL_ADD, REAL_DEL, ATTACH, DETACH }

    /** One command to kill: its arguments, and the configuration it would leave if it finished. */
    private record Step(Op op, String[] args, Config expected) {}

    private String[] withInstance(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--instance";
        all[1] = lab.instance;
        System.arraycopy(args, 0, all, 2, args.length);
        return all;
    }

    private String[] attachArgs() {
        return withInstance("attach", "--iface", "va", "--netns", lab.ns.name(), "--gateway-mac", Lab.GATEWAY_MAC,
                "--src4", "192.0.2.1", "--src6", "2001:db8::1", "--ring-size", "251", "--max-vips", "80");
    }

    /** 64 VIPs x 16 reals; variant 1 moves 8 VIPs to another port, re-weights and replaces reals elsewhere. */
    private Config large(Config base, int variant) {
        Config c = base.withSizes(SIZES);
        for (int i = 1; i <= 64; i++) {
            int port = variant == 1 && i <= 8 ? 8080 : 80;
            Vip v = Vip.parse("192.0.2." + i + ":" + port + "/tcp");
            c = c.withVip(VipConfig.of(v, i % 2 == 0 ? Encap.GUE : Encap.IPIP, Set.of()));
            for (int j = 0; j < 16; j++) {
                int n = (i * 7 + j) % 240 + 1;
                boolean replaced = variant == 1 && i > 16 && i <= 24 && j < 4;
                String addr = replaced ? "203.0.113." + (i * 4 + j - 60) : "198.51.100." + n;
                int weight = variant == 1 && i > 8 && i <= 16 ? 3 : 1 + j % 2;
                c = c.withReal(v, new Real(InetAddress.ofLiteral(addr), weight));
            }
        }
        return c;
    }

    private Config fileConfig() {
        return ConfigJson.parse(lab.configBytes(), "config.json");
    }

    private Step next(Op op, Config cur, Random rnd, int round) {
        List<VipConfig> vips = cur.vips();
        return switch (op) {
            case APPLY -> {
                Config empty = new Config(cur.sizes(), null, List.of(), cur.realservers(), cur.bgp());
                Config want = large(empty, round % 2).withDirector(cur.director());
                yield new Step(op, null, want);
            }
            case VIP_ADD -> {
                Vip v = Vip.parse("192.0.2." + (100 + round) + ":443/tcp");
                yield new Step(op, withInstance("vip", "add", v.toString(), "--encap", "gue"),
                        cur.withVip(VipConfig.of(v, Encap.GUE, Set.of())));
            }
            case VIP_DEL -> {
                Vip v = vips.get(rnd.nextInt(vips.size())).vip();
                yield new Step(op, withInstance("vip", "del", v.toString()), cur.withoutVip(v));
            }
            case REAL_ADD -> {
                Vip v = vips.get(rnd.nextInt(vips.size())).vip();
                InetAddress a = InetAddress.ofLiteral("203.0.113." + (200 + round % 50));
                int w = 1 + rnd.nextInt(5); // --weight: adds the real, or re-weights it when the VIP has it
                yield new Step(op, withInstance("real", "add", v.toString(), a.getHostAddress(), "--weight", "" + w),
                        cur.withReal(v, new Real(a, w)));
            }
            case REAL_DEL -> {
                VipConfig vc = vips.stream().filter(x -> !x.reals().isEmpty()).findFirst().orElseThrow();
                Real r = vc.reals().get(rnd.nextInt(vc.reals().size()));
                yield new Step(op, withInstance("real", "del", vc.vip().toString(), r.address().getHostAddress()),
                        cur.withoutReal(vc.vip(), r.address()));
            }
            case ATTACH -> new Step(op, attachArgs(), cur.withSizes(SIZES).withDirector(director));
            case DETACH -> new Step(op, withInstance("detach", "--iface", "va", "--netns", lab.ns.name()),
                    cur.withDirector(null));
        };
    }

    @Test
    void killedCommandsNeverTearTheFileAndOneApplyConverges(@TempDir Path tmp) throws Exception {
        Cli.run(attachArgs()).ok();
        director = fileConfig().director();
        Path big = tmp.resolve("large.json");
        Files.writeString(big, ConfigJson.write(large(fileConfig(), 0)));
        lab.ok("apply", "-f", big.toString());
        converge(tmp);

        long seed = Long.getLong("xdplb.crashSeed", System.nanoTime());
        System.out.println("CrashConsistencyTest seed " + seed + " (-Dxdplb.crashSeed=" + seed + " repeats it)");
        Random rnd = new Random(seed);
        KilledCli cli = new KilledCli();
        Map<Op, Long> duration = new EnumMap<>(Op.class);
        Map<Op, int[]> tally = new EnumMap<>(Op.class); // kills leaving the old file, kills leaving the new one
        List<Long> points = new ArrayList<>();
        Op[] ops = Op.values();
        int kills = 0;
        for (int round = 0; round < MAX_ROUNDS && kills < KILLS; round++) {
            Op op = ops[round % ops.length];
            Config cur = fileConfig();
            if (op == Op.ATTACH) { // attach needs a detached director
                lab.ok("detach", "--iface", "va", "--netns", lab.ns.name());
                cur = fileConfig();
            }
            Step step = next(op, cur, rnd, round);
            String[] args = step.args();
            if (op == Op.APPLY) {
                Path f = tmp.resolve("apply-" + round + ".json");
                Files.writeString(f, ConfigJson.write(step.expected()));
                args = withInstance("apply", "-f", f.toString());
            }
            String before = lab.configBytes();
            String after = ConfigJson.write(step.expected());
            KilledCli.Outcome o;
            if (!duration.containsKey(op)) {
                o = cli.timed(args); // the first of each kind runs to its end: its duration spreads the kill points
                assertEquals(0, o.exit(), op + " " + List.of(args));
                duration.put(op, o.elapsedMillis());
            } else {
                long d = duration.get(op);
                long at = (long) (d * (0.2 + 0.6 * rnd.nextDouble()));
                o = cli.killAfter(at, args);
                if (o.killed()) {
                    kills++;
                    points.add(at);
                } else {
                    duration.put(op, Math.min(d, o.elapsedMillis())); // it ran faster: kill earlier next time
                }
            }
            String now = lab.configBytes();
            assertTrue(now.equals(before) || now.equals(after), op + " left a file that is neither the old nor the new"
                    + " state (killed: " + o.killed() + "):\n" + now);
            if (o.killed()) tally.computeIfAbsent(op, k -> new int[2])[now.equals(before) && !before.equals(after) ? 0 : 1]++;
            converge(tmp);
        }
        StringBuilder summary = new StringBuilder("kills " + kills + " at " + new TreeSet<>(points).size()
                + " distinct moments; per command (file old/new):");
        tally.forEach((op, t) -> summary.append(" ").append(op).append(" ").append(t[0]).append("/").append(t[1]));
        System.out.println(summary);
        assertTrue(kills >= KILLS, summary.toString());
    }

    /**
     * The operator's repair after a crash: apply the configuration file (with the director, since a
     * killed detach or attach may have left it out). Then the maps hold the file and nothing is left over.
     */
    private void converge(Path tmp) throws IOException {
        Config want = fileConfig().withSizes(SIZES).withDirector(director);
        Path f = tmp.resolve("converge.json");
        Files.writeString(f, ConfigJson.write(want));
        Cli.Result r = lab.xdplb("apply", "-f", f.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(ConfigJson.write(want), lab.configBytes());
        assertEquals(MapsView.expected(lab.configBytes()),
                MapsView.ofDump(lab.json("dump", "vip2tnl", "vip_addrs", "reals", "ring")), "dump matches the file");
        assertEquals("nothing to do\n", lab.ok("apply", "-f", f.toString()), "one apply converged");
        Cli.Result st = lab.xdplb("status");
        assertEquals(0, st.exit(), st.out());
        assertEquals(expectedPins(), pins(), "no pin or link left over");
    }

    private Set<String> expectedPins() {
        Set<String> s = new TreeSet<>(List.of("balancer", "links/va@" + lab.ns.name()));
        for (String m : io.xdplb.director.BalancerMaps.NAMES) s.add("maps/" + m);
        return s;
    }

    private Set<String> pins() throws IOException {
        Set<String> s = new TreeSet<>();
        try (Stream<Path> all = Files.walk(lab.pins())) {
            for (Path p : all.toList()) if (!Files.isDirectory(p)) s.add(lab.pins().relativize(p).toString());
        }
        return s;
    }
}
