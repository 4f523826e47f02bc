package io.xdplb.cli;

import io.xdplb.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Command-line validation that needs no root: exit codes and one-line messages. */
class UsageTest {
    @Test
    void missingOptionIsUsageErrorExit2() {
        Cli.Result r = Cli.run("pass", "attach");
        assertEquals(2, r.exit());
        assertEquals("xdplb: Missing required option: '--iface=IF' (see `xdplb pass attach --help`)\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void unknownCommandIsUsageError() {
        Cli.Result r = Cli.run("frobnicate");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("xdplb: Unmatched argument at index 0: 'frobnicate'"), r.err());
        assertEquals(1, r.err().lines().count(), "one line");
    }

    @Test
    void badModeAndBadNamesAreRefusedBeforeAnythingHappens() {
        Cli.Result mode = Cli.run("pass", "attach", "--iface", "eth0", "--mode", "turbo");
        assertEquals(1, mode.exit());
        assertEquals("xdplb: bad XDP mode \"turbo\": must be native or generic\n", mode.err());
        Cli.Result inst = Cli.run("--instance", "../etc", "pass", "attach", "--iface", "eth0");
        assertEquals(1, inst.exit());
        assertEquals("xdplb: bad instance name \"../etc\": use 1-32 letters, digits, '-' or '_'\n", inst.err());
        Cli.Result iface = Cli.run("pass", "detach", "--iface", "a/b");
        assertEquals(1, iface.exit());
        assertEquals("xdplb: bad interface name \"a/b\": 1-15 characters, no '/', '@', ':' or spaces\n", iface.err());
    }

    @Test
    void everyCommandHasHelpWithAnExample() {
        for (String[] cmd : new String[][] {{"status"}, {"pass", "attach"}, {"pass", "detach"}}) {
            String[] args = new String[cmd.length + 1];
            System.arraycopy(cmd, 0, args, 0, cmd.length);
            args[cmd.length] = "--help";
            Cli.Result r = Cli.run(args);
            assertEquals(0, r.exit());
            assertTrue(r.out().contains("Example"), String.join(" ", cmd) + " help has an example");
        }
    }

    /** Walks the picocli model, so a command added later without an example fails here. */
    @Test
    void everyCommandAndSubcommandFoundInTheModelHasHelpWithAnExample() {
        List<List<String>> all = new ArrayList<>();
        all.add(List.of());
        all.addAll(DocCommandsTest.allCommands());
        assertTrue(all.size() >= 25, "walked the whole tree: " + all);
        for (List<String> cmd : all) {
            List<String> args = new ArrayList<>(cmd);
            args.add("--help");
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            String name = String.join(" ", List.of("xdplb", String.join(" ", cmd))).strip();
            assertEquals(0, r.exit(), name + " --help: " + r.err());
            assertEquals("", r.err(), name);
            assertTrue(r.out().contains("Usage: " + name + " "), name + ": " + r.out());
            int at = r.out().indexOf("\nExample");
            assertTrue(at > 0, name + " --help has an \"Example(s):\" section:\n" + r.out());
            String examples = r.out().substring(at);
            assertTrue(examples.lines().skip(2).anyMatch(l -> l.startsWith("  xdplb ")),
                    name + ": an example is an xdplb command line:\n" + examples);
        }
    }

    @Test
    void helpCommandShowsTheSubcommandsHelp() {
        Cli.Result viaHelp = Cli.run("help", "real");
        assertEquals(0, viaHelp.exit());
        assertEquals(Cli.run("real", "--help").out(), viaHelp.out());
    }

    @Test
    void internalAndUsageErrorsHaveDistinctExitCodes() {
        Cli.Result usage = Cli.run("vip", "add", "192.0.2.10:80/tcp", "--encap");
        assertEquals(2, usage.exit());
        assertEquals("xdplb: Missing required parameter for option '--encap' (ipip|gue) (see `xdplb vip add --help`)\n",
                usage.err());
        Cli.Result v = Cli.run("--version");
        assertEquals(0, v.exit());
        assertTrue(v.out().startsWith("xdplb "), v.out());
    }
}
