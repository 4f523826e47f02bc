package io.xdplb.testing;

import io.xdplb.cli.Main;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process, the way a user's command line would, and keeps what it printed. */
public final class Cli {
    private Cli() {}

    public record Result(int exit, String out, String err) {
        public Result ok() {
            if (exit != 0) throw new AssertionError("xdplb exited " + exit + ": " + err + out);
            return this;
        }
    }

    /** xdplb --instance INSTANCE ARGS... */
    public static Result inInstance(String instance, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--instance";
        all[1] = instance;
        System.arraycopy(args, 0, all, 2, args.length);
        return run(all);
    }

    /** Removes the instance's configuration directory (under the tests' xdplb.stateDir). */
    public static void forgetInstance(String instance) {
        java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("xdplb.stateDir", "/tmp/xdplb-test-state"), instance);
        try (var files = java.nio.file.Files.walk(dir)) {
            for (var f : files.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.deleteIfExists(f);
        } catch (java.nio.file.NoSuchFileException e) {
            // nothing was written
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(rc, out.toString(), err.toString());
    }
}
