package io.xdplb.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/** Entry point of the `xdplb` command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; returns its exit code. Used by tests too. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        long start = System.nanoTime();
        long built;
        int rc;
        if (args.length == 1 && XdplbCommand.isVersion(args[0])) {
            // what picocli would print, without building its model first (a third of this command's time)
            built = start;
            for (String line : new Version().getVersion()) out.println(line);
            rc = 0;
        } else {
            CommandLine cl = XdplbCommand.commandLine(args);
            built = System.nanoTime();
            cl.setOut(out);
            cl.setErr(err);
            rc = cl.execute(args);
        }
        out.flush();
        if (System.getenv(TIMING_ENV) != null) {
            // where a one-shot command's time goes (bench/startup.py reads it); the JVM's own start is the rest
            err.printf(java.util.Locale.ROOT, "xdplb: timing: picocli model %.1f ms, command %.1f ms%n", (built - start) / 1e6,
                    (System.nanoTime() - built) / 1e6);
        }
        err.flush();
        return rc;
    }

    /** Set (to anything): one line on stderr with the time spent building picocli's model and running the command. */
    public static final String TIMING_ENV = "XDPLB_TIMING";
}
