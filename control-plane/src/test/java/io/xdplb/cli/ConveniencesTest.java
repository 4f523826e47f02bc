package io.xdplb.cli;

import io.xdplb.testing.Cli;
import io.xdplb.testing.JavaCli;
import io.xdplb.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What users hit first, no root needed: suggestions, -j, XDPLB_INSTANCE, the hint at other instances, XDPLB_TIMING. */
class ConveniencesTest {
    private final String withVips = "t-conv-" + ProcessHandle.current().pid();
    private final String empty = withVips + "-none";

    @BeforeEach
    void writeConfiguration() throws IOException {
        Path file = Path.of(System.getProperty("xdplb.stateDir"), withVips, "config.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                {"version": 1, "vips": [{"vip": "192.0.2.10:80/tcp", "encap": "gue",
                  "reals": [{"address": "198.51.100.2", "weight": 2}]}]}
                """);
    }

    @AfterEach
    void forget() {
        Cli.forgetInstance(withVips);
        Cli.forgetInstance(empty);
    }

    @Test
    void aMistypedCommandGetsASuggestion() {
        Cli.Result r = Cli.run("vip", "ad", "192.0.2.10:80/tcp");
        assertEquals(2, r.exit());
        assertEquals("xdplb: Unmatched arguments from index 1: 'ad', '192.0.2.10:80/tcp'; did you mean add?"
                + " (see `xdplb vip --help`)\n", r.err());
        assertEquals("", r.out());
        Cli.Result two = Cli.run("stat");
        assertEquals(2, two.exit());
        assertTrue(two.err().matches("(?s).*; did you mean stats, status( or \\w+|(, \\w+)* or \\w+)\\? .*"), two.err());
        Cli.Result option = Cli.run("vip", "list", "--jsn");
        assertEquals(2, option.exit());
        assertTrue(option.err().contains("did you mean --json?"), option.err());
    }

    @Test
    void dashJIsJson() {
        Cli.Result longForm = Cli.inInstance(withVips, "vip", "list", "--json");
        assertEquals(0, longForm.exit(), longForm.err());
        assertTrue(longForm.out().contains("\"198.51.100.2\""), longForm.out());
        assertEquals(longForm.out(), Cli.inInstance(withVips, "vip", "list", "-j").out());
        assertEquals(Cli.inInstance(withVips, "real", "list", "192.0.2.10:80/tcp", "--json").out(),
                Cli.inInstance(withVips, "real", "list", "192.0.2.10:80/tcp", "-j").out());
        for (List<String> cmd : List.of(List.of("stats"), List.of("status"), List.of("apply"))) {
            List<String> args = new java.util.ArrayList<>(cmd);
            args.add("--help");
            String help = Cli.run(args.toArray(String[]::new)).out();
            assertTrue(help.contains("-j, --json"), cmd + ": " + help);
        }
    }

    @Test
    void onlyTheNamedCommandIsBuiltYetInstanceWorksAnywhere() {
        String before = Cli.run("--instance", withVips, "vip", "list").out();
        assertTrue(before.contains("192.0.2.10:80/tcp"), before);
        assertEquals(before, Cli.run("vip", "list", "--instance", withVips).out());
        assertEquals(before, Cli.run("--instance=" + withVips, "vip", "list").out());
        assertEquals(XdplbCommand.COMMANDS.size(), XdplbCommand.commandLine(new String[] {"--help"}).getSubcommands().size());
        assertEquals(List.of("vip"), List.copyOf(XdplbCommand.commandLine(new String[] {"--instance", "x", "vip", "list"})
                .getSubcommands().keySet()));
        assertEquals(0, XdplbCommand.commandLine(new String[] {"--version"}).getSubcommands().size());
        assertTrue(Cli.run("--version").out().startsWith("xdplb "));
        // printed without picocli: as picocli prints it (the same command line with --instance goes through it)
        assertEquals(Cli.run("--instance", "x", "--version").out(), Cli.run("--version").out());
        assertEquals(Cli.run("--instance", "x", "-V").out(), Cli.run("-V").out());
        // in a group, only the named subcommand; every one for the group's help and a misspelling
        assertEquals(List.of("list"), subcommandsOf("vip", "--instance", "x", "vip", "--instance", "y", "list", "-j"));
        assertEquals(List.of("add", "check", "del", "list"), subcommandsOf("vip", "vip", "--help"));
        assertEquals(List.of("add", "check", "del", "list"), subcommandsOf("vip", "vip", "ad"));
        assertEquals(List.of("add", "del", "list"), subcommandsOf("real", "--help"));
        assertEquals(before, Cli.run("vip", "--instance", withVips, "list").out());
        assertTrue(Cli.run("vip", "ad").err().contains("did you mean add?"), Cli.run("vip", "ad").err());
    }

    /** The subcommands of group in the tree built for args. */
    private static List<String> subcommandsOf(String group, String... args) {
        return List.copyOf(XdplbCommand.commandLine(args).getSubcommands().get(group).getSubcommands().keySet());
    }

    @Test
    void xdplbInstanceIsTheDefaultInstance() {
        Sh.Result r = JavaCli.run(List.of("env", "XDPLB_INSTANCE=" + withVips), "vip", "list");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("VIP "), r.out());
        assertTrue(r.out().contains("192.0.2.10:80/tcp"), r.out());
        Sh.Result given = JavaCli.run(List.of("env", "XDPLB_INSTANCE=" + withVips), "--instance", empty, "vip", "list");
        assertTrue(given.out().startsWith("no VIPs in instance " + empty + " "), "--instance wins: " + given.out());
    }

    @Test
    void xdplbTimingEndsACommandWithWhereItsTimeWent() {
        Sh.Result r = JavaCli.run(List.of("env", "XDPLB_TIMING=1", "XDPLB_INSTANCE=" + withVips), "vip", "list");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("192.0.2.10:80/tcp"), "the command's own output is unchanged: " + r.out());
        assertTrue(r.err().matches("xdplb: timing: picocli model \\d+\\.\\d ms, command \\d+\\.\\d ms\n"), r.err());
        Sh.Result quiet = JavaCli.run(List.of("env", "XDPLB_INSTANCE=" + withVips), "vip", "list");
        assertEquals("", quiet.err(), "without XDPLB_TIMING: nothing on stderr");
    }

    @Test
    void anEmptyInstanceNamesTheOnesThatExist() {
        Cli.Result r = Cli.inInstance(empty, "vip", "list");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("no VIPs in instance " + empty + " (add one with `xdplb vip add ADDR:PORT/PROTO`);"
                + " instances that exist: "), r.out());
        String names = r.out().replaceFirst("(?s).*instances that exist: ", "").replaceFirst(" \\(choose one.*\\s*$", "");
        assertTrue(List.of(names.split(", ")).contains(withVips), r.out());
        assertTrue(r.out().endsWith(" (choose one with --instance NAME or XDPLB_INSTANCE=NAME)\n"), r.out());
    }
}
