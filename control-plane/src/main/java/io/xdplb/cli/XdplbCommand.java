package io.xdplb.cli;

import io.xdplb.Messages;
import io.xdplb.UserError;
import io.xdplb.libbpf.BpfLoadException;
import io.xdplb.libbpf.NativeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

@Command(name = "xdplb", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "An XDP/eBPF L4 load balancer (katran-style, direct server return).",
        footer = {"", "Examples:",
                "  xdplb attach --iface eth0                          # the director, on a stick",
                "  xdplb vip add 203.0.113.10:80/tcp",
                "  xdplb real add 203.0.113.10:80/tcp 192.0.2.11",
                "  xdplb stats --watch 1",
                "  xdplb agent                                        # health checks, restore at boot (systemd unit)",
                "  xdplb realserver setup --iface eth0 --vip 203.0.113.10   # on each real server",
                "  xdplb status --json | jq .",
                "", "Errors are one line on stderr and a non-zero exit (1: the command failed, 2: bad usage, 3: status"
                + " found something stale or defunct,"
                + " 70: internal error). Reference: docs/cli.md, `xdplb man`."})
public final class XdplbCommand {
    @Option(names = "--instance", scope = ScopeType.INHERIT, defaultValue = "${env:XDPLB_INSTANCE:-default}", paramLabel = "NAME",
            description = "Which balancer instance (pins under /sys/fs/bpf/xdplb/NAME). Default: $XDPLB_INSTANCE, else"
                    + " \"default\".")
    String instance;

    /** The commands, in the order `xdplb --help` lists them. */
    static final List<Class<?>> COMMANDS = List.of(AttachCommand.class, DetachCommand.class, VipCommand.class,
            RealCommand.class, StatsCommand.class, DumpCommand.class, ApplyCommand.class, ExportCommand.class,
            StatusCommand.class, DoctorCommand.class, TraceCommand.class, AgentCommand.class, PassCommand.class,
            RealserverCommand.class,
            DocCommands.Completion.class, DocCommands.Man.class, CommandLine.HelpCommand.class);
    /**
     * The subcommands of the command groups, in the order their help lists them. They are not in
     * the groups' @Command: picocli would build every one, and a command line needs only the one
     * it names.
     */
    static final Map<Class<?>, List<Class<?>>> GROUPS = Map.of(
            VipCommand.class, List.of(VipCommand.Add.class, VipCommand.Check.class, VipCommand.Del.class, VipCommand.ListVips.class),
            RealCommand.class, List.of(RealCommand.Add.class, RealCommand.Del.class, RealCommand.ListReals.class),
            PassCommand.class, List.of(PassCommand.Attach.class, PassCommand.Detach.class),
            RealserverCommand.class, List.of(RealserverCommand.Setup.class, RealserverCommand.Teardown.class));
    /** Commands that walk the whole tree (the list of commands, the pages, the completion). */
    private static final List<Class<?>> NEED_ALL = List.of(DocCommands.Completion.class, DocCommands.Man.class,
            CommandLine.HelpCommand.class);

    /** The whole command tree. */
    static CommandLine commandLine() {
        return commandLine(null);
    }

    /**
     * The command tree for this command line: only the branch of the command (and of the group's
     * subcommand) that args name, since building picocli's model of every command is most of a
     * one-shot command's start-up; none for --version; the whole tree when nothing is named (root
     * --help), for a misspelled name (the suggestions) and for help, completion and man; a
     * group's every subcommand when none of them is named (its --help, its suggestions).
     */
    static CommandLine commandLine(String[] args) {
        CommandLine cl = new CommandLine(new XdplbCommand());
        int at = args == null ? -1 : commandAt(args, 0);
        Class<?> only = at < 0 ? null : isVersion(args[at]) ? Void.class : named(COMMANDS, args[at]);
        if (only != null && NEED_ALL.contains(only)) only = null;
        for (Class<?> c : COMMANDS) {
            if (only != null && c != only) continue;
            List<Class<?>> subs = GROUPS.get(c);
            if (subs == null) {
                cl.addSubcommand(c);
                continue;
            }
            int subAt = only == null ? -1 : commandAt(args, at + 1);
            Class<?> sub = subAt < 0 ? null : named(subs, args[subAt]);
            CommandLine group = new CommandLine(c);
            for (Class<?> s : subs) if (sub == null || s == sub) group.addSubcommand(s);
            cl.addSubcommand(group);
        }
        cl.setExecutionExceptionHandler(XdplbCommand::onError);
        cl.setParameterExceptionHandler(XdplbCommand::onBadUsage);
        CommandLine help = cl.getSubcommands().get("help");
        if (help != null) {
            // picocli's built-in `help` has no footer of its own; every command's --help shows an example
            help.getCommandSpec().usageMessage()
                    .footer("", "Examples:", "  xdplb help attach", "  xdplb help vip      # then: xdplb vip add --help");
        }
        return cl;
    }

    /**
     * Where the next command word is in args from index from on, past --instance and its value;
     * -1 when another option comes first (it may be --help, which needs the whole level) or none
     * is left. --version counts as a word: it needs no command at all.
     */
    private static int commandAt(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--instance")) {
                i++;
            } else if (!a.startsWith("--instance=")) {
                if (isVersion(a)) return from == 0 ? i : -1;
                return a.startsWith("-") ? -1 : i;
            }
        }
        return -1;
    }

    static boolean isVersion(String arg) {
        return arg.equals("-V") || arg.equals("--version");
    }

    /** The command of commands called name; null when none is. */
    private static Class<?> named(List<Class<?>> commands, String name) {
        for (Class<?> c : commands) if (c.getAnnotation(Command.class).name().equals(name)) return c;
        return null;
    }

    private static int onBadUsage(CommandLine.ParameterException ex, String[] args) {
        PrintWriter err = ex.getCommandLine().getErr();
        String didYouMean = "";
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            List<String> s = u.getSuggestions();
            didYouMean = "; did you mean " + (s.size() == 1 ? s.getFirst()
                    : String.join(", ", s.subList(0, s.size() - 1)) + " or " + s.getLast()) + "?";
        }
        err.println("xdplb: " + Messages.oneLine(ex.getMessage()) + didYouMean + " (see `"
                + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help`)");
        return 2;
    }

    private static int onError(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (ex instanceof BpfLoadException le) {
            err.println("xdplb: " + Messages.oneLine(le.getMessage()) + " (whole log: " + saveLog(le.log()) + ")");
            return 1;
        }
        if (ex instanceof UserError || ex instanceof NativeException) {
            err.println("xdplb: " + Messages.oneLine(ex.getMessage()));
            return 1;
        }
        err.println("xdplb: internal error: " + Messages.oneLine(ex.toString()) + " (run with XDPLB_DEBUG=1 for the stack trace, and report it)");
        if (System.getenv("XDPLB_DEBUG") != null) ex.printStackTrace(err);
        return 70;
    }

    private static String saveLog(String log) {
        try {
            Path f = Files.createTempFile("xdplb-verifier-", ".log");
            Files.writeString(f, log);
            return f.toString();
        } catch (IOException e) {
            return "not saved: " + e.getMessage();
        }
    }

    /** The --instance value, wherever on the command line it was given. */
    static String instance(CommandLine.Model.CommandSpec spec) {
        return ((XdplbCommand) spec.root().userObject()).instance;
    }

    /** Commands that touch BPF call this first: root, then a bpffs at /sys/fs/bpf. */
    static void requireRoot(String what) {
        if (!io.xdplb.libbpf.Libc.isRoot()) {
            throw new UserError(what + " needs root (it loads BPF programs and pins them under /sys/fs/bpf);"
                    + " run it as root or with sudo");
        }
        io.xdplb.libbpf.Bpffs.ensureMounted();
    }
}
