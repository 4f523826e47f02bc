package io.xdplb.e2e;

import io.xdplb.testing.Sh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The netns-testenv topology under a prefix of the test's own (so it never meets the
 * demo's): client, router, director and three real servers, built and removed by the
 * project's own up.sh / down.sh, the way a user would.
 */
final class TestEnv implements AutoCloseable {
    static final Path REPO = Path.of(System.getProperty("xdplb.repo", "..")).toAbsolutePath().normalize();

    final String prefix;
    private final int reals;
    private final int directors; // 0: the one-director network with a static route
    private final Path launcher;

    TestEnv(String prefix) {
        this(prefix, 3, 0);
    }

    /** With directors > 0, the BGP variant: PREFIX-dir1..N behind the router's BIRD and ECMP. */
    TestEnv(String prefix, int reals, int directors) {
        this.prefix = prefix;
        this.reals = reals;
        this.directors = directors;
        this.launcher = launcher();
        Sh.Result r = script("up.sh");
        if (r.exit() != 0) {
            script("down.sh");
            throw new AssertionError("netns-testenv/up.sh failed (exit " + r.exit() + "): " + r.err() + r.out());
        }
    }

    Sh.Result script(String name) {
        return Sh.run(List.of("env", "XDPLB_TESTENV=" + prefix, "REALS=" + reals,
                "XDPLB_DIRECTORS=" + (directors == 0 ? "" : "" + directors), "XDPLB=" + launcher,
                "XDPLB_STATE_DIR=" + System.getProperty("xdplb.stateDir", "/tmp/xdplb-test-state"),
                REPO.resolve("netns-testenv").resolve(name).toString()), 300);
    }

    /**
     * The scripts call xdplb; during `mvn package` the jar does not exist yet, so they get a
     * launcher that runs the CLI from the test's class path instead of ./xdplb.
     */
    private static Path launcher() {
        try {
            Path f = java.nio.file.Files.createTempFile("xdplb-launcher-", ".sh");
            List<String> cmd = io.xdplb.testing.JavaCli.command(io.xdplb.testing.JavaCli.runtimeClassPath());
            StringBuilder sb = new StringBuilder("#!/bin/sh\nexec");
            for (String c : cmd) sb.append(" '").append(c.replace("'", "'\\''")).append("'");
            sb.append(" \"$@\"\n");
            java.nio.file.Files.writeString(f, sb.toString());
            f.toFile().setExecutable(true);
            f.toFile().deleteOnExit();
            return f;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The launcher the scripts use: the CLI from the test's class path, as a program other processes can run. */
    Path launcherPath() {
        return launcher;
    }

    String ns(String role) {
        return prefix + "-" + role;
    }

    /** A command inside one of the namespaces. */
    Sh.Result exec(String role, int timeoutSeconds, String... cmd) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
        all.addAll(List.of(cmd));
        return Sh.run(all, timeoutSeconds);
    }

    /** One HTTP GET from the client on a new connection: the answering real's name, or the failure. */
    String curl(String url) {
        Sh.Result r = exec("client", 15, "curl", "-s", "-g", "--max-time", "3", url);
        return r.exit() == 0 ? r.out().strip() : "curl exit " + r.exit();
    }

    @Override
    public void close() {
        Sh.Result r = script("down.sh");
        if (r.exit() != 0) throw new AssertionError("netns-testenv/down.sh failed: " + r.err() + r.out());
    }
}
