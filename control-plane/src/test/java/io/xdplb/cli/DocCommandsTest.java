package io.xdplb.cli;

import io.xdplb.testing.Cli;
import io.xdplb.testing.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `xdplb completion` and `xdplb man`: generated from the picocli model, complete and well formed. */
class DocCommandsTest {
    /** Every command below the root, as its words: ["vip", "add"], ... (picocli's help included). */
    static List<List<String>> allCommands() {
        List<List<String>> out = new ArrayList<>();
        walk(XdplbCommand.commandLine().getCommandSpec(), new ArrayList<>(), out);
        return out;
    }

    private static void walk(CommandSpec spec, List<String> path, List<List<String>> out) {
        for (var e : spec.subcommands().entrySet()) {
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            out.add(p);
            walk(e.getValue().getCommandSpec(), p, out);
        }
    }

    private static CommandSpec spec(List<String> words) {
        CommandSpec s = XdplbCommand.commandLine().getCommandSpec();
        for (String w : words) s = s.subcommands().get(w).getCommandSpec();
        return s;
    }

    private static boolean bashAvailable() {
        return Files.isExecutable(Path.of("/bin/bash"));
    }

    @Test
    void completionScriptDefinesFunctionsForEveryCommand() throws IOException {
        Cli.Result r = Cli.run("completion");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        String script = r.out();
        assertTrue(script.startsWith("#!/usr/bin/env bash"), script.lines().findFirst().orElse(""));
        assertTrue(script.contains("function _complete_xdplb()"), "entry function");
        assertTrue(script.contains("complete -F _complete_xdplb -o default xdplb"), "registered for xdplb");
        assertTrue(script.contains("function _picocli_xdplb()"), "root function");
        for (List<String> cmd : allCommands()) {
            String fn = "function _picocli_xdplb_" + String.join("_", cmd) + "()";
            assertTrue(script.contains(fn), "no " + fn);
            assertTrue(script.contains(cmd.getLast()), "mentions " + cmd);
            for (OptionSpec o : spec(cmd).options()) {
                if (!o.hidden()) assertTrue(script.contains(o.longestName()), cmd + " " + o.longestName());
            }
        }
        assertTrue(script.contains("completion") && script.contains("man"), "the new commands themselves");

        if (!bashAvailable()) return;
        Path f = Files.createTempFile("xdplb-completion-", ".bash");
        try {
            Files.writeString(f, script);
            Sh.Result syntax = Sh.run("bash", "-n", f.toString());
            assertEquals(0, syntax.exit(), "bash -n: " + syntax.err());
            // really complete: `xdplb vip <TAB>`, `xdplb real add --<TAB>`, `xdplb <TAB>`
            assertEquals(List.of("add", "check", "del", "list"), complete(f, "xdplb", "vip", ""));
            List<String> top = complete(f, "xdplb", "");
            for (String c : List.of("attach", "detach", "vip", "real", "stats", "dump", "apply", "export", "status",
                    "pass", "realserver", "completion", "man", "help")) {
                assertTrue(top.contains(c), "xdplb <TAB> offers " + c + ": " + top);
            }
            assertTrue(complete(f, "xdplb", "real", "add", "--w").contains("--weight"));
            assertTrue(complete(f, "xdplb", "attach", "--gat").contains("--gateway-mac"));
            assertEquals(java.util.Set.of("ipip", "gue"),
                    java.util.Set.copyOf(complete(f, "xdplb", "vip", "add", "192.0.2.10:80/tcp", "--encap", "")));
            assertEquals(java.util.Set.of("native", "generic"), java.util.Set.copyOf(complete(f, "xdplb", "attach", "--mode", "")));
            assertEquals(java.util.Set.of("no-sport", "no-conntrack", "dport-only"),
                    java.util.Set.copyOf(complete(f, "xdplb", "vip", "add", "--flag", "")));
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** What bash offers for the last word, with the script loaded as a user's shell would. */
    private static List<String> complete(Path script, String... words) {
        StringBuilder arr = new StringBuilder();
        for (String w : words) arr.append(" '").append(w).append("'");
        String line = String.join(" ", words);
        String cmd = "source '" + script + "'; COMP_WORDS=(" + arr + "); COMP_CWORD=" + (words.length - 1)
                + "; COMP_LINE='" + line + "'; COMP_POINT=" + line.length()
                + "; _complete_xdplb; printf '%s\\n' \"${COMPREPLY[@]}\"";
        Sh.Result r = Sh.run("bash", "-c", cmd);
        assertEquals(0, r.exit(), r.err());
        return new ArrayList<>(new TreeSet<>(r.out().lines().map(String::strip).filter(s -> !s.isEmpty()).toList()));
    }

    @Test
    void manWritesOneValidPagePerCommand(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("man1");
        Cli.Result r = Cli.run("man", "--dir", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());

        List<String> expected = new ArrayList<>(List.of("xdplb.1"));
        for (List<String> cmd : allCommands()) {
            if (!cmd.getLast().equals("help")) expected.add("xdplb-" + String.join("-", cmd) + ".1");
        }
        List<String> written;
        try (Stream<Path> files = Files.list(out)) {
            written = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(new TreeSet<>(expected), new TreeSet<>(written));
        assertEquals("wrote " + expected.size() + " man pages to " + out + " (xdplb.1, xdplb-attach.1, ..., xdplb-man.1)\n",
                r.out());
        Cli.Result denied = Cli.run("man", "--dir", "/proc/xdplb-man");
        assertEquals(1, denied.exit());
        assertTrue(denied.err().startsWith("xdplb: cannot write man pages to /proc/xdplb-man: "), denied.err());
        assertEquals(1, denied.err().lines().count());
        assertTrue(written.containsAll(List.of("xdplb.1", "xdplb-vip-add.1", "xdplb-real-del.1", "xdplb-pass-attach.1",
                "xdplb-realserver-setup.1", "xdplb-completion.1", "xdplb-man.1")), written.toString());

        boolean groff = Sh.run("sh", "-c", "command -v groff").exit() == 0;
        for (String name : written) {
            Path page = out.resolve(name);
            String text = Files.readString(page);
            String title = name.substring(0, name.length() - 2);
            List<String> words = title.equals("xdplb") ? List.of()
                    : List.of(title.substring("xdplb-".length()).split("-"));
            // realserver-setup has no '-' in its words, so this split is exact for xdplb's commands
            CommandSpec spec = spec(words);
            assertTrue(text.contains(".TH " + title.toUpperCase().replace("-", "\\-") + " 1 "), name + ": .TH");
            for (String section : List.of(".SH NAME\n", ".SH SYNOPSIS\n", ".SH DESCRIPTION\n", ".SH OPTIONS\n",
                    ".SH EXAMPLES\n", ".SH EXIT STATUS\n", ".SH SEE ALSO\n")) {
                assertTrue(text.contains(section), name + " has " + section.strip());
            }
            assertTrue(text.contains(".SH NAME\n" + title.replace("-", "\\-") + " \\- "), name + ": NAME line");
            assertTrue(text.contains("\\fB" + spec.qualifiedName(" ").replace("-", "\\-") + "\\fR\n"), name + ": synopsis");
            for (OptionSpec o : spec.options()) {
                if (o.hidden()) continue;
                assertTrue(text.contains("\\fB" + o.longestName().replace("-", "\\-") + "\\fR"), name + " documents "
                        + o.longestName());
            }
            String examples = text.substring(text.indexOf(".SH EXAMPLES\n"), text.indexOf(".SH EXIT STATUS\n"));
            assertTrue(examples.contains("\nxdplb "), name + ": an example command line: " + examples);
            for (String line : text.lines().toList()) {
                assertFalse(line.startsWith("'"), name + ": a line troff would read as a request: " + line);
                assertTrue(line.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7f)), name + ": ASCII only: " + line);
            }
            if (groff) {
                Sh.Result g = Sh.run("groff", "-man", "-Tutf8", "-ww", "-z", page.toString());
                assertEquals(0, g.exit(), name + ": " + g.err());
                assertEquals("", g.err(), name + ": groff warnings");
            }
        }
        if (groff) {
            Sh.Result shown = Sh.run("groff", "-man", "-Tutf8", "-P-cbu", out.resolve("xdplb-real-add.1").toString());
            String page = shown.out().replaceAll("\\s+", " ");
            assertTrue(page.contains("xdplb-real-add - Add a real server to a VIP, or change the weight of one it has"), page);
            assertTrue(page.contains("--weight=N"), page);
            assertTrue(page.contains("xdplb real add 192.0.2.10:80/tcp 198.51.100.12 --weight 3"), page);
        }
        String root = Files.readString(out.resolve("xdplb.1"));
        assertTrue(root.contains(".SH COMMANDS\n") && root.contains("\\fBxdplb\\-vip\\fR(1)"), "root lists the commands");
        assertTrue(root.contains("XDPLB_STATE_DIR") && root.contains("/sys/fs/bpf/xdplb/"), "root: environment and files");
    }

    @Test
    void manWithACommandPrintsItsPage() {
        Cli.Result r = Cli.run("man", "vip", "add");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains(".TH XDPLB\\-VIP\\-ADD 1 "), r.out());
        assertTrue(r.out().contains("\\fB\\-\\-encap\\fR=\\fIipip|gue\\fR"), r.out());

        Cli.Result bad = Cli.run("man", "vip", "frob");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().startsWith("xdplb: no command \"vip frob\": one of xdplb, xdplb attach, "), bad.err());
        assertEquals(1, bad.err().lines().count());

        Cli.Result both = Cli.run("man", "--dir", "/tmp/nowhere", "vip");
        assertEquals(1, both.exit());
        assertEquals("xdplb: give either --dir (all pages) or a COMMAND (one page to stdout), not both\n", both.err());
    }

    @Test
    void pagesAreReproducible() {
        List<String> first = DocCommands.ManPages.commands(XdplbCommand.commandLine().getCommandSpec()).stream()
                .map(DocCommands.ManPages::page).toList();
        List<String> second = DocCommands.ManPages.commands(XdplbCommand.commandLine().getCommandSpec()).stream()
                .map(DocCommands.ManPages::page).toList();
        assertEquals(first, second, "no dates or other varying text");
    }
}
