package io.xdplb.cli;

import io.xdplb.testing.Cli;
import org.junit.jupiter.api.Test;

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
}
