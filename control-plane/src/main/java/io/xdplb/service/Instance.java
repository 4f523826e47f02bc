package io.xdplb.service;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.health.HealthFile;
import io.xdplb.model.ConfigStore;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;

/**
 * One balancer instance as both front-ends see it: its pins (/sys/fs/bpf/xdplb/NAME), its
 * configuration file (/var/lib/xdplb/NAME/config.json; XDPLB_STATE_DIR, or the system property
 * xdplb.stateDir, moves the directory, e.g. for tests) and its run-time state under
 * /run/xdplb/NAME (real-server records, the agent's lock and health file; gone after a reboot).
 */
public record Instance(InstanceLayout layout, ConfigStore store) {
    public static final String STATE_DIR_ENV = "XDPLB_STATE_DIR";
    public static final Path RUN_ROOT = Path.of("/run/xdplb");

    public static Instance named(String name) {
        InstanceLayout layout = InstanceLayout.of(name);
        return new Instance(layout, ConfigStore.forInstance(stateDir(), layout.instance()));
    }

    /** Where configuration files live: /var/lib/xdplb, or XDPLB_STATE_DIR / xdplb.stateDir. */
    public static Path stateDir() {
        String dir = System.getProperty("xdplb.stateDir", System.getenv(STATE_DIR_ENV));
        return Path.of(dir == null || dir.isEmpty() ? "/var/lib/xdplb" : dir);
    }

    /** Names of the instances that have a configuration file, sorted. */
    public static java.util.List<String> configured() {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (var dirs = java.nio.file.Files.list(stateDir())) {
            for (Path d : dirs.toList()) {
                String n = d.getFileName().toString();
                if (n.matches("[A-Za-z0-9_-]{1,32}") && java.nio.file.Files.isRegularFile(d.resolve("config.json"))) out.add(n);
            }
        } catch (java.io.IOException e) {
            return out; // no state directory yet: nothing configured
        }
        out.sort(null);
        return out;
    }

    public String name() {
        return layout.instance();
    }

    /**
     * When this instance has nothing but others have pins or a configuration file, a hint that
     * names them (after `make demo` everything is in instance demo), to end a message with; else "".
     */
    public String othersHint() {
        TreeSet<String> others = new TreeSet<>();
        addNames(others, layout.bpffsRoot(), "");
        addNames(others, store.file().getParent().getParent(), "config.json");
        others.remove(name());
        if (others.isEmpty()) return "";
        return "; instances that exist: " + String.join(", ", others)
                + " (choose one with --instance NAME or XDPLB_INSTANCE=NAME)";
    }

    /** The subdirectories of dir (that hold the file inside, when inside is not ""). */
    private static void addNames(TreeSet<String> names, Path dir, String inside) {
        if (!Files.isDirectory(dir)) return;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> Files.isDirectory(p) && Files.exists(p.resolve(inside)))) {
            for (Path p : ds) names.add(p.getFileName().toString());
        } catch (IOException | SecurityException e) {
            // not readable (e.g. not root): a hint we cannot give
        }
    }

    /** /run/xdplb/NAME: what lives only as long as this boot. */
    public Path runDir() {
        return RUN_ROOT.resolve(name());
    }

    /** The agent's published health results (real list and every map change use them). */
    public HealthFile healthFile() {
        return new HealthFile(runDir());
    }

    public DirectorService director() {
        return new DirectorService(this);
    }

    public RealServerService realServers() {
        return new RealServerService(this);
    }

    public StatsService stats() {
        return new StatsService(this);
    }

    public DumpService dump() {
        return new DumpService(this);
    }
}
