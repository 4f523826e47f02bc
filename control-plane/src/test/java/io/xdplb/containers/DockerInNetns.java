package io.xdplb.containers;

import io.xdplb.net.DockerEngine;
import io.xdplb.testing.Sh;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Docker engine of the test's own, run inside a network namespace the test creates:
 * `nsenter --net=/run/netns/NS dockerd ...` (not `ip netns exec`, whose remount of /sys hides
 * the cgroup mounts dockerd needs). Its bridges, addresses and forwarding live in that
 * namespace; the host's own namespace is never changed. Socket, data root, exec root and
 * pid file live on a tmpfs mounted on {@link #ROOT} (so unmounting it removes every image,
 * container and layer the engine made). Runs in private mount namespaces of their own (one
 * `unshare -m` each) mount their own tmpfs on the same directory and never meet: each looks
 * only at its own mount namespace, and the directory is removed by the last run that leaves
 * (removing a directory that is a mount point in another namespace would detach that mount
 * there, taking the other run's engine with it). No default bridge (it would take a
 * private range), no iptables rules (the test routes documentation addresses; nothing is
 * NATed). overlay2 first, vfs when overlay2 does not work here.
 */
final class DockerInNetns implements AutoCloseable {
    static final Path ROOT = Path.of("/run/xdplb-test-docker");
    /** Surefire gives the test JVM DOCKER_HOST=this, so Testcontainers and `xdplb --container` find the engine. */
    static final String HOST = "unix://" + ROOT.resolve("docker.sock");

    final String netns;
    final DockerEngine engine;
    final String storageDriver;
    private Process dockerd;

    private DockerInNetns(String netns, DockerEngine engine, String storageDriver, Process dockerd) {
        this.netns = netns;
        this.engine = engine;
        this.storageDriver = storageDriver;
        this.dockerd = dockerd;
    }

    /** Starts the engine in a new namespace NETNS, or skips the calling test class (with the reason) when it cannot. */
    static DockerInNetns start(String netns) {
        Assumptions.assumeTrue(onPath("dockerd") && onPath("nsenter"),
                "dockerd is not installed (make deps installs docker.io): the container tier is SKIPPED");
        Assumptions.assumeTrue(HOST.equals(System.getenv("DOCKER_HOST")),
                "DOCKER_HOST is not " + HOST + " (Surefire sets it; run through `make test`): the container tier is SKIPPED");
        removeLeftovers(netns);
        Sh.run("ip", "netns", "add", netns).ok();
        Sh.run("ip", "-n", netns, "link", "set", "lo", "up").ok();
        // forwarding, and no duplicate address detection (addresses usable at once): in the namespace only
        Sh.run("ip", "netns", "exec", netns, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
                "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
                "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.default.send_redirects=0").ok();
        DockerEngine engine = io.xdplb.net.DockerEngine.fromEnvironment();
        List<String> tried = new ArrayList<>();
        for (String driver : List.of("overlay2", "vfs")) {
            mountRoot();
            Process p = launch(netns, driver);
            if (waitUntilUp(engine, p)) return new DockerInNetns(netns, engine, driver, p);
            tried.add(driver + ": " + logTail());
            stop(p);
            unmountRoot();
        }
        Sh.run("ip", "netns", "del", netns);
        throw new AssertionError("dockerd did not come up in netns " + netns + " with either storage driver: " + tried);
    }

    private static boolean onPath(String tool) {
        return Sh.run("sh", "-c", "command -v " + tool).exit() == 0;
    }

    private static Process launch(String netns, String driver) {
        List<String> cmd = List.of("nsenter", "--net=/run/netns/" + netns, "dockerd",
                "--host", HOST,
                "--data-root", ROOT.resolve("data").toString(),
                "--exec-root", ROOT.resolve("exec").toString(),
                "--pidfile", ROOT.resolve("dockerd.pid").toString(),
                "--storage-driver", driver,
                "--bridge", "none", "--iptables=false", "--ip6tables=false", "--ip-masq=false",
                "--log-level", "warn");
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ROOT.resolve("dockerd.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start dockerd: " + e.getMessage(), e);
        }
    }

    /** docker info's condition: the engine answers on its socket (60 s at most, sooner when dockerd died). */
    private static boolean waitUntilUp(DockerEngine engine, Process p) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) return false;
            if (Files.exists(ROOT.resolve("docker.sock")) && engine.ping()) return true;
            sleep(200);
        }
        return false;
    }

    private static String logTail() {
        try {
            List<String> lines = Files.readAllLines(ROOT.resolve("dockerd.log"));
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void mountRoot() {
        Sh.Result r = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                Files.createDirectories(ROOT);
            } catch (IOException e) {
                throw new AssertionError("cannot create " + ROOT + ": " + e.getMessage(), e);
            }
            // (another run leaving may remove the directory between the two steps: then again)
            r = Sh.run("mount", "-t", "tmpfs", "-o", "mode=0700", "xdplb-test-docker", ROOT.toString());
            if (r.exit() == 0) return;
        }
        r.ok();
    }

    /** Whether ROOT is a mount point in the mount namespace of process pid ("self" for this one). */
    private static boolean mountedIn(String pid) {
        return Boolean.TRUE.equals(mountedOrUnknown(pid));
    }

    /** As {@link #mountedIn}, or null when the process's mounts cannot be read (it is gone). */
    private static Boolean mountedOrUnknown(String pid) {
        try {
            return Files.readAllLines(Path.of("/proc", pid, "mounts")).stream()
                    .anyMatch(l -> l.split(" ")[1].equals(ROOT.toString()));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The mount namespace of a process (as its /proc/PID/ns/mnt link reads), or "" when it is gone. */
    private static String mountNamespace(String pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", pid, "ns", "mnt")).toString();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Whether another mount namespace (another test run) has its own tmpfs on ROOT. */
    private static boolean usedByAnotherRun() {
        String mine = mountNamespace("self");
        java.util.Set<String> seen = new java.util.HashSet<>(java.util.Set.of(mine, ""));
        for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
            String pid = Long.toString(h.pid());
            String ns = mountNamespace(pid);
            if (seen.contains(ns)) continue;
            Boolean mounted = mountedOrUnknown(pid);
            if (mounted == null) continue; // gone while looking: another process of its namespace answers
            if (mounted) return true;
            seen.add(ns);
        }
        return false;
    }

    private static void unmountRoot() {
        // lazily: a container's mount that outlived its engine must not keep the directory
        if (mountedIn("self")) Sh.run("umount", "-R", "-l", ROOT.toString());
        if (!Files.isDirectory(ROOT) || usedByAnotherRun()) return;
        try {
            Files.deleteIfExists(ROOT);
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            // another run's files, made without a tmpfs of its own: not ours to remove
        } catch (IOException e) {
            throw new AssertionError("cannot remove " + ROOT + ": " + e.getMessage(), e);
        }
    }

    /** An engine, tmpfs and namespace left by an interrupted run (killed JVM): stopped and removed first. */
    private static void removeLeftovers(String netns) {
        Path pidFile = ROOT.resolve("dockerd.pid");
        if (Files.exists(pidFile)) {
            try {
                long pid = Long.parseLong(Files.readString(pidFile).strip());
                String mine = mountNamespace("self");
                ProcessHandle.of(pid).filter(h -> h.info().command().orElse("").endsWith("dockerd"))
                        .filter(h -> mountNamespace(Long.toString(h.pid())).equals(mine))
                        .ifPresent(DockerInNetns::stop);
            } catch (IOException | NumberFormatException e) {
                // no usable pid: nothing to stop
            }
        }
        unmountRoot();
        Sh.run("ip", "netns", "del", netns);
    }

    private static void stop(Process p) {
        stop(p.toHandle());
    }

    /** SIGTERM (dockerd stops its containers and containerd), SIGKILL after 30 s. */
    private static void stop(ProcessHandle h) {
        h.destroy();
        try {
            h.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported by the leak checks of the test
            }
        }
    }

    /** Whether dockerd or a containerd of this engine still runs (in this mount namespace: not another run's). */
    static boolean anythingRunning() {
        String mine = mountNamespace("self");
        return ProcessHandle.allProcesses().anyMatch(h -> h.info().arguments().map(a -> String.join(" ", a))
                .orElse("").contains(ROOT.toString()) && mountNamespace(Long.toString(h.pid())).equals(mine));
    }

    /** Whether this run left ROOT behind: mounted here, or there while no other run uses it. */
    static boolean rootLeft() {
        return mountedIn("self") || (Files.exists(ROOT) && !usedByAnotherRun());
    }

    @Override
    public void close() {
        if (dockerd != null) stop(dockerd);
        dockerd = null;
        unmountRoot();
        Sh.run("ip", "netns", "del", netns);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
