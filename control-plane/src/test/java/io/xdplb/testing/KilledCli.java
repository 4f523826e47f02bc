package io.xdplb.testing;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one CLI command in a child JVM and kills it with SIGKILL after a chosen delay, the way
 * a crash, an OOM kill or a power cut would stop it: no shutdown hook, no finally block runs.
 * {@link #timed} runs the same command to its end first, so a caller can spread kill points over
 * the command's own duration. Used by the crash-consistency tiers (director and real server).
 */
public final class KilledCli {
    private final List<String> classPath;

    public KilledCli() {
        this.classPath = JavaCli.runtimeClassPath();
    }

    /** How a run ended: killed (true) or finished with exit; elapsed since start. */
    public record Outcome(boolean killed, int exit, long elapsedMillis) {}

    /** Runs args to their end; returns its exit code and how long it took (for choosing kill points). */
    public Outcome timed(String... args) {
        return run(Long.MAX_VALUE, args);
    }

    /** Runs args and SIGKILLs the process afterMillis after its start, unless it ended before. */
    public Outcome killAfter(long afterMillis, String... args) {
        return run(afterMillis, args);
    }

    private Outcome run(long afterMillis, String... args) {
        long start = System.nanoTime();
        try {
            Process p = new ProcessBuilder(JavaCli.command(classPath, args))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            long wait = afterMillis == Long.MAX_VALUE ? TimeUnit.SECONDS.toMillis(120) : afterMillis;
            boolean ended = p.waitFor(wait, TimeUnit.MILLISECONDS);
            if (!ended) {
                p.destroyForcibly(); // SIGKILL
                p.waitFor(30, TimeUnit.SECONDS);
                if (afterMillis == Long.MAX_VALUE) throw new AssertionError("timed out after 120 s: " + List.of(args));
            }
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            return new Outcome(!ended, ended ? p.exitValue() : -9, elapsed);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + List.of(args) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
