package io.xdplb.cli;

import io.xdplb.Messages;
import io.xdplb.UserError;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * `xdplb completion` and `xdplb man`: the bash completion script and the man pages, both
 * generated from the picocli model, so they always match the commands of this build.
 */
final class DocCommands {
    private DocCommands() {}

    @Command(name = "completion", mixinStandardHelpOptions = true,
            description = {"Print a bash completion script for xdplb (commands, subcommands and options),"
                    + " generated from the commands of this build. Also works in zsh after `autoload -U bashcompinit && bashcompinit`."},
            footer = {"", "Examples:",
                    "  xdplb completion > /etc/bash_completion.d/xdplb     # every new shell",
                    "  source <(xdplb completion)                          # this shell only"})
    static final class Completion implements Runnable {
        @Spec CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().getOut().print(AutoComplete.bash("xdplb", spec.root().commandLine()));
        }
    }

    @Command(name = "man", mixinStandardHelpOptions = true,
            description = {"Write a man page (troff) for every command, named like xdplb.1, xdplb-attach.1 and"
                    + " xdplb-vip-add.1. With COMMAND, print that command's page to stdout instead."},
            footer = {"", "Examples:",
                    "  xdplb man --dir /usr/local/share/man/man1 && mandb -q   # then: man xdplb-real-add",
                    "  xdplb man vip add | man -l -"})
    static final class Man implements Runnable {
        @Spec CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", description = "Directory to write the pages to (created if missing). Default: the current directory.")
        Path dir;

        @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "A command, e.g. `vip add`: print its page to stdout.")
        List<String> command = new ArrayList<>();

        @Override
        public void run() {
            CommandSpec root = spec.root();
            var out = spec.commandLine().getOut();
            if (!command.isEmpty()) {
                if (dir != null) throw new UserError("give either --dir (all pages) or a COMMAND (one page to stdout), not both");
                CommandSpec target = root;
                for (String word : command) {
                    CommandLine sub = target.subcommands().get(word);
                    if (sub == null || !ManPages.documented(sub.getCommandSpec())) {
                        throw new UserError("no command " + Messages.quote(String.join(" ", command)) + ": one of "
                                + String.join(", ", ManPages.commands(root).stream().map(c -> c.qualifiedName(" ")).toList()));
                    }
                    target = sub.getCommandSpec();
                }
                out.print(ManPages.page(target));
                return;
            }
            Path where = dir == null ? Path.of("") : dir;
            List<CommandSpec> all = ManPages.commands(root);
            try {
                if (dir != null) Files.createDirectories(where);
                for (CommandSpec c : all) {
                    Files.writeString(where.resolve(ManPages.fileName(c)), ManPages.page(c), StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                String reason = e instanceof AccessDeniedException ? "permission denied"
                        : e instanceof NoSuchFileException ? "no such file or directory"
                        : e instanceof FileAlreadyExistsException ? "it exists and is not a directory"
                        : e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                        : e.getMessage();
                throw new UserError("cannot write man pages to " + where.toAbsolutePath().normalize() + ": " + reason);
            }
            out.println("wrote " + all.size() + " man pages to " + where.toAbsolutePath().normalize() + " ("
                    + ManPages.fileName(all.getFirst()) + ", " + ManPages.fileName(all.get(1)) + ", ..., "
                    + ManPages.fileName(all.getLast()) + ")");
        }
    }

    /** A small troff (man macros) generator working on picocli's CommandSpec. */
    static final class ManPages {
        private ManPages() {}

        /** Commands that get a page: all but hidden ones and picocli's own `help`. */
        static boolean documented(CommandSpec c) {
            return !c.usageMessage().hidden() && !(c.userObject() instanceof CommandLine.HelpCommand);
        }

        /** The root and every documented subcommand, depth first, in declaration order. */
        static List<CommandSpec> commands(CommandSpec root) {
            List<CommandSpec> out = new ArrayList<>();
            collect(root, out);
            return out;
        }

        private static void collect(CommandSpec c, List<CommandSpec> out) {
            out.add(c);
            for (CommandSpec sub : subcommands(c)) collect(sub, out);
        }

        /** Documented direct subcommands, each once (aliases share a CommandLine). */
        static List<CommandSpec> subcommands(CommandSpec c) {
            Map<CommandSpec, Boolean> seen = new LinkedHashMap<>();
            for (CommandLine sub : c.subcommands().values()) {
                if (documented(sub.getCommandSpec())) seen.putIfAbsent(sub.getCommandSpec(), true);
            }
            return new ArrayList<>(seen.keySet());
        }

        /** xdplb-vip-add, for `xdplb vip add`. */
        static String pageName(CommandSpec c) {
            return c.qualifiedName("-");
        }

        static String fileName(CommandSpec c) {
            return pageName(c) + ".1";
        }

        static String page(CommandSpec c) {
            StringBuilder m = new StringBuilder();
            String version = new Version().getVersion()[0];
            m.append(".\\\" Generated by `xdplb man` from the picocli model; do not edit.\n");
            m.append(".TH ").append(pageName(c).toUpperCase(Locale.ROOT).replace("-", "\\-"))
                    .append(" 1 \"\" \"").append(esc(version)).append("\" \"xdplb manual\"\n");
            m.append(".nh\n"); // no hyphenation: command names and addresses stay whole

            m.append(".SH NAME\n").append(esc(pageName(c))).append(" \\- ").append(esc(summary(c))).append('\n');

            m.append(".SH SYNOPSIS\n");
            m.append("\\fB").append(esc(c.qualifiedName(" "))).append("\\fR\n");
            for (OptionSpec o : options(c)) {
                String s = optionSynopsis(o);
                m.append(o.required() ? s : "[" + s + "]").append(o.isMultiValue() ? "...\n" : "\n");
            }
            for (PositionalParamSpec p : positionals(c)) {
                String s = "\\fI" + esc(p.paramLabel()) + "\\fR" + (p.isMultiValue() ? "..." : "");
                m.append(p.arity().min() == 0 ? "[" + s + "]" : s).append('\n');
            }
            if (!subcommands(c).isEmpty()) m.append("\\fICOMMAND\\fR\n");

            m.append(".SH DESCRIPTION\n");
            for (String para : c.usageMessage().description()) m.append(".PP\n").append(text(para)).append('\n');

            List<CommandSpec> subs = subcommands(c);
            if (!subs.isEmpty()) {
                m.append(".SH COMMANDS\n");
                for (CommandSpec s : subs) {
                    m.append(".TP\n\\fB").append(esc(s.name())).append("\\fR\n")
                            .append(text(summary(s))).append(". See \\fB").append(esc(pageName(s))).append("\\fR(1).\n");
                }
            }

            if (!positionals(c).isEmpty()) {
                m.append(".SH ARGUMENTS\n");
                for (PositionalParamSpec p : positionals(c)) {
                    m.append(".TP\n\\fI").append(esc(p.paramLabel())).append("\\fR\n").append(text(description(p))).append('\n');
                }
            }

            m.append(".SH OPTIONS\n");
            for (OptionSpec o : options(c)) {
                m.append(".TP\n");
                List<String> names = new ArrayList<>();
                for (String n : o.names()) names.add("\\fB" + esc(n) + "\\fR");
                m.append(String.join(", ", names));
                if (o.arity().max() > 0) m.append("=\\fI").append(esc(o.paramLabel())).append("\\fR");
                m.append('\n').append(text(description(o))).append('\n');
            }

            Footer f = footer(c);
            if (!f.notes().isEmpty()) {
                m.append(".SH NOTES\n");
                for (String para : f.notes()) m.append(".PP\n").append(text(para)).append('\n');
            }
            m.append(".SH EXAMPLES\n");
            if (f.examples().isEmpty()) m.append("See the pages of the subcommands.\n");
            else {
                m.append(".PP\n.RS 2\n.nf\n");
                for (String line : f.examples()) m.append(codeLine(line.strip())).append('\n');
                m.append(".fi\n.RE\n");
            }

            m.append(".SH EXIT STATUS\n");
            m.append(".TP\n0\nThe command did what was asked.\n");
            m.append(".TP\n1\nThe command failed (bad value, nothing attached, no permission ...): one line on"
                    + " standard error says what was wrong and what to do; maps, pins and the configuration file"
                    + " are left as they were.\n");
            m.append(".TP\n2\nBad usage: an unknown command or option, or a missing argument.\n");
            m.append(".TP\n3\n\\fBstatus\\fR only: an attachment is defunct or a real-server record is stale,"
                    + " incomplete or unreadable.\n");
            m.append(".TP\n70\nInternal error (a bug): run again with \\fBXDPLB_DEBUG=1\\fR for the stack trace.\n");

            if (c.parent() == null) {
                m.append(".SH ENVIRONMENT\n");
                m.append(".TP\n\\fBXDPLB_STATE_DIR\\fR\nDirectory of the configuration files; default \\fI/var/lib/xdplb\\fR.\n");
                m.append(".TP\n\\fBXDPLB_RUN_DIR\\fR\nDirectory of the real-server records; default \\fI/run/xdplb\\fR.\n");
                m.append(".TP\n\\fBXDPLB_DEBUG\\fR\nWhen set, internal errors also print their stack trace.\n");
                m.append(".SH FILES\n");
                m.append(".TP\n\\fI/var/lib/xdplb/\\fRINSTANCE\\fI/config.json\\fR\n"
                        + "The configuration of an instance (VIPs, reals, director, real-server set-ups), as"
                        + " \\fBxdplb export\\fR prints it.\n");
                m.append(".TP\n\\fI/sys/fs/bpf/xdplb/\\fRINSTANCE\\fI/\\fR\n"
                        + "Pinned programs, maps and XDP links of an instance.\n");
            }

            m.append(".SH SEE ALSO\n");
            List<String> see = new ArrayList<>();
            if (c.parent() != null) see.add(c.parent().qualifiedName("-"));
            for (CommandSpec s : subs) see.add(pageName(s));
            if (c.parent() != null && !c.parent().qualifiedName("-").equals("xdplb")) see.add("xdplb");
            if (see.isEmpty()) see.add("bpftool");
            List<String> refs = new ArrayList<>();
            for (String s : see) refs.add("\\fB" + esc(s) + "\\fR(" + (s.equals("bpftool") ? "8" : "1") + ")");
            m.append(String.join(",\n", refs)).append('\n');
            return m.toString();
        }

        private static List<OptionSpec> options(CommandSpec c) {
            return c.options().stream().filter(o -> !o.hidden()).toList();
        }

        private static List<PositionalParamSpec> positionals(CommandSpec c) {
            return c.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        }

        private static String optionSynopsis(OptionSpec o) {
            String s = "\\fB" + esc(o.longestName()) + "\\fR";
            if (o.arity().max() > 0) s += "=\\fI" + esc(o.paramLabel()) + "\\fR";
            return s;
        }

        private static String description(ArgSpec a) {
            return String.join(" ", a.description());
        }

        /** The first sentence of the description, without its full stop. */
        static String summary(CommandSpec c) {
            String[] d = c.usageMessage().description();
            if (d.length == 0) return c.name();
            String s = d[0].strip();
            int end = s.indexOf(". ");
            if (end > 0) s = s.substring(0, end);
            return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        }

        record Footer(List<String> notes, List<String> examples) {}

        /** Splits the footer into prose paragraphs and the lines after "Example:"/"Examples:". */
        static Footer footer(CommandSpec c) {
            List<String> notes = new ArrayList<>();
            List<String> examples = new ArrayList<>();
            StringBuilder para = new StringBuilder();
            boolean inExamples = false;
            for (String raw : c.usageMessage().footer()) {
                for (String line : raw.split("%n|\n", -1)) {
                    String t = line.strip();
                    if (t.equals("Example:") || t.equals("Examples:")) {
                        flush(para, notes);
                        inExamples = true;
                    } else if (t.isEmpty()) {
                        flush(para, notes);
                        inExamples = false;
                    } else if (inExamples) {
                        examples.add(line);
                    } else {
                        para.append(para.isEmpty() ? "" : " ").append(t);
                    }
                }
            }
            flush(para, notes);
            return new Footer(notes, examples);
        }

        private static void flush(StringBuilder para, List<String> into) {
            if (!para.isEmpty()) into.add(para.toString());
            para.setLength(0);
        }

        /** Escapes text for troff: backslashes, minus signs, non-ASCII characters. */
        static String esc(String s) {
            StringBuilder b = new StringBuilder();
            s.codePoints().forEach(cp -> {
                switch (cp) {
                    case '\\' -> b.append("\\e");
                    case '-' -> b.append("\\-");
                    case '\t' -> b.append(' ');
                    default -> {
                        if (cp < 0x20) b.append(' ');
                        else if (cp < 0x7f) b.appendCodePoint(cp);
                        else b.append(String.format("\\[u%04X]", cp));
                    }
                }
            });
            return b.toString();
        }

        /** Prose for a filled paragraph: escaped, `code` in bold, never a line that troff reads as a request. */
        static String text(String s) {
            String e = esc(s.replace("%n", "\n").replace("%%", "%"));
            e = e.replaceAll("`([^`]*)`", "\\\\fB$1\\\\fR");
            StringBuilder b = new StringBuilder();
            for (String line : e.split("\n", -1)) {
                String t = line.strip();
                if (t.isEmpty()) continue;
                if (!b.isEmpty()) b.append('\n');
                b.append(t.startsWith(".") || t.startsWith("'") ? "\\&" + t : t);
            }
            return b.toString();
        }

        /** One line of a no-fill block, kept as written. */
        static String codeLine(String s) {
            String e = esc(s);
            return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
        }
    }
}
