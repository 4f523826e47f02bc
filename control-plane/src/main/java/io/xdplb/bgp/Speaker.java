package io.xdplb.bgp;

import io.xdplb.UserError;
import io.xdplb.libbpf.Netns;
import io.xdplb.model.Bgp;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One instance's BGP speaker: a BIRD 2 daemon that xdplb runs and drives, never BGP code of
 * our own. It lives in the director's network namespace (it peers over the director's link)
 * and keeps its files in /run/xdplb/INSTANCE/bgp/: {@code bird.conf} (written by
 * {@link BirdConfig}), {@code bird.ctl} (the control socket birdc talks to), {@code bird.pid},
 * {@code bird.log}.
 *
 * <p>Announcing is rewriting the configuration and {@code birdc configure}. A speaker of ours
 * that is already running (say the agent was killed and started again) is adopted, not doubled.
 */
public final class Speaker {
    private static final int BIRDC_TIMEOUT_SECONDS = 10;

    private final String instance;
    private final Path dir;

    /** The speaker of instance, with its files under runDir/bgp (runDir = /run/xdplb/INSTANCE). */
    public Speaker(String instance, Path runDir) {
        this.instance = instance;
        this.dir = runDir.resolve("bgp");
    }

    public Path dir() {
        return dir;
    }

    Path conf() {
        return dir.resolve("bird.conf");
    }

    Path socket() {
        return dir.resolve("bird.ctl");
    }

    Path pidFile() {
        return dir.resolve("bird.pid");
    }

    Path log() {
        return dir.resolve("bird.log");
    }

    /** The running BIRD of this instance, if any: the pid file names a live bird on our configuration. */
    public Optional<ProcessHandle> process() {
        try {
            long pid = Long.parseLong(Files.readString(pidFile()).strip());
            Optional<ProcessHandle> p = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (p.isEmpty()) return p;
            String cmdline = Files.readString(Path.of("/proc", "" + pid, "cmdline")).replace('\0', ' ');
            return cmdline.contains("bird") && cmdline.contains(conf().toString()) ? p : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    public boolean isRunning() {
        return process().isPresent();
    }

    /**
     * Makes the speaker announce exactly routes (host routes; an empty set withdraws
     * everything) with these settings, inside netns (null: this process's namespace). Starts
     * BIRD when none runs; restarts it when the namespace or the program changed.
     */
    public void announce(Bgp bgp, String netns, Set<InetAddress> routes) {
        Objects.requireNonNull(bgp, "bgp");
        String text = BirdConfig.render(bgp, instance, log(), routes);
        Optional<ProcessHandle> running = process();
        if (running.isPresent() && !runsAs(running.get(), bgp, netns)) {
            stop();
            running = Optional.empty();
        }
        if (running.isPresent()) {
            if (text.equals(readConf())) return;
            writeConf(text);
            String out = birdc("configure");
            if (!out.contains("Reconfigured") && !out.contains("Reconfiguration in progress")) {
                throw new UserError("BGP speaker of instance " + instance + " refused its new configuration "
                        + conf() + ": " + lastLine(out));
            }
            return;
        }
        start(bgp, netns, text);
    }

    /** Whether the running speaker is this program in this namespace (else it is restarted). */
    private static boolean runsAs(ProcessHandle p, Bgp bgp, String netns) {
        String program = p.info().command().orElse("");
        boolean same = bgp.speaker().contains("/") ? program.equals(bgp.speaker())
                : Path.of(program).getFileName() != null && Path.of(program).getFileName().toString().equals(bgp.speaker());
        Path ns = netns == null ? Path.of("/proc/self/ns/net") : Netns.NETNS_DIR.resolve(netns);
        try {
            return same && Files.isSameFile(Path.of("/proc", "" + p.pid(), "ns", "net"), ns);
        } catch (IOException e) {
            return false;
        }
    }

    private void start(Bgp bgp, String netns, String text) {
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(socket());
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            throw new UserError("cannot prepare " + dir + " for the BGP speaker: " + e.getMessage());
        }
        writeConf(text);
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            if (!Files.exists(Netns.NETNS_DIR.resolve(netns))) {
                throw new UserError("network namespace " + netns + " does not exist (no " + Netns.NETNS_DIR.resolve(netns)
                        + "): the BGP speaker runs in the director's namespace");
            }
            cmd.addAll(List.of("ip", "netns", "exec", netns));
        }
        // -f: stays our child, so a stop can wait for it; the daemon logs to bird.log itself
        cmd.addAll(List.of(bgp.speaker(), "-f", "-c", conf().toString(), "-s", socket().toString(),
                "-P", pidFile().toString()));
        Path out = dir.resolve("bird.out");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UserError("cannot run the BGP speaker " + bgp.speaker() + " (bgp.speaker; Debian package bird2): "
                    + e.getMessage());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new UserError("the BGP speaker of instance " + instance + " exited at start (exit " + p.exitValue()
                        + "): " + lastLine(readQuietly(out)) + " (configuration " + conf() + ")");
            }
            if (Files.exists(socket()) && isRunning()) {
                try {
                    birdc("show status");
                    return;
                } catch (UserError notYet) {
                    // the socket exists a moment before BIRD answers on it
                }
            }
            sleep(50);
        }
        p.destroyForcibly();
        throw new UserError("the BGP speaker of instance " + instance + " did not come up within 10 s; see " + log());
    }

    /**
     * Withdraws every route, then stops BIRD (its sessions close with a Cease, so the routers
     * drop anything left at once). Nothing happens when no speaker runs.
     */
    public void stop() {
        Optional<ProcessHandle> p = process();
        if (p.isEmpty()) return;
        try {
            String conf = readConf();
            if (conf != null) {
                writeConf(withoutRoutes(conf));
                birdc("configure");
            }
            birdc("down");
        } catch (UserError e) {
            // not answering: it is stopped by signal below
        }
        ProcessHandle h = p.get();
        waitExit(h, 3);
        if (h.isAlive()) {
            h.destroyForcibly();
            waitExit(h, 3);
        }
        try {
            Files.deleteIfExists(socket());
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            // stale files are ignored by process(): the pid check comes first
        }
    }

    /** The same configuration with the static protocols emptied (every "route ... blackhole;" line dropped). */
    static String withoutRoutes(String conf) {
        StringBuilder sb = new StringBuilder();
        for (String line : conf.split("\n", -1)) {
            if (line.strip().startsWith("route ") && line.strip().endsWith(" blackhole;")) continue;
            sb.append(line).append('\n');
        }
        return sb.substring(0, sb.length() - 1);
    }

    /** The speaker's live state as BIRD reports it; not running when there is no speaker. */
    public SpeakerState state() {
        if (!isRunning() || !Files.exists(socket())) return SpeakerState.NOT_RUNNING;
        try {
            String protocols = birdc("show protocols");
            String v4 = birdc("show route protocol " + BirdConfig.STATIC4);
            String v6 = birdc("show route protocol " + BirdConfig.STATIC6);
            return SpeakerState.parse(protocols, v4 + "\n" + v6);
        } catch (UserError e) {
            return SpeakerState.NOT_RUNNING;
        }
    }

    /** One birdc command on the control socket; its output, or a UserError. */
    String birdc(String command) {
        List<String> cmd = new ArrayList<>(List.of(birdcProgram(), "-s", socket().toString()));
        cmd.addAll(List.of(command.split(" ")));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            var reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            });
            if (!p.waitFor(BIRDC_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new UserError("birdc " + command + " on " + socket() + " did not answer within " + BIRDC_TIMEOUT_SECONDS + " s");
            }
            String out = reader.join();
            if (p.exitValue() != 0) throw new UserError("birdc " + command + " on " + socket() + " failed: " + lastLine(out));
            return out;
        } catch (IOException e) {
            throw new UserError("cannot run birdc (Debian package bird2): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while talking to the BGP speaker");
        }
    }

    /** birdc next to the configured bird when that is a path, else birdc on PATH. */
    private String birdcProgram() {
        String speaker = readSpeakerFromConfig();
        if (speaker != null && speaker.contains("/")) return Path.of(speaker).resolveSibling("birdc").toString();
        return "birdc";
    }

    private String readSpeakerFromConfig() {
        return process().flatMap(h -> h.info().command()).orElse(null);
    }

    private String readConf() {
        return readQuietly(conf());
    }

    private void writeConf(String text) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("bird.conf.tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, conf(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserError("cannot write the BGP speaker's configuration " + conf() + ": " + e.getMessage());
        }
    }

    private static String readQuietly(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return null;
        }
    }

    private static String lastLine(String out) {
        if (out == null || out.isBlank()) return "(no output)";
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    private static void waitExit(ProcessHandle h, int seconds) {
        try {
            h.onExit().get(seconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            // still alive: the caller decides
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
