package io.xdplb.e2e;

import io.xdplb.testing.JavaCli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** `xdplb --instance NAME agent` as its own process, the way systemd runs it; its stdout kept in a file. */
public final class AgentProcess implements AutoCloseable {
    final Process process;
    final Path log;

    private AgentProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static AgentProcess start(String instance, String... extra) {
        try {
            Path log = Files.createTempFile("xdplb-agent-", ".log");
            List<String> args = new ArrayList<>(List.of("--instance", instance, "agent"));
            args.addAll(List.of(extra));
            Process p = new ProcessBuilder(JavaCli.command(JavaCli.runtimeClassPath(), args.toArray(String[]::new)))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new AgentProcess(p, log);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits until a line of the log matches regex (after skip lines); fails with the log after seconds. */
    public String await(String regex, int seconds) {
        Pattern p = Pattern.compile(regex);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            for (String line : output().lines().toList()) if (p.matcher(line).find()) return line;
            if (!process.isAlive()) break;
            sleep(100);
        }
        throw new AssertionError("agent log has no line matching /" + regex + "/ within " + seconds + " s"
                + (process.isAlive() ? "" : " (agent exited " + process.exitValue() + ")") + ":\n" + output());
    }

    /** SIGTERM, then the exit code. */
    public int terminate() {
        process.destroy();
        return waitFor();
    }

    void kill9() {
        process.destroyForcibly();
        waitFor();
    }

    int waitFor() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("agent did not exit within 20 s:\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException ignored) {
                process.destroyForcibly();
            }
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file
        }
    }
}
