package io.xdplb.service;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.model.ConfigStore;

import java.nio.file.Path;

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
        String dir = System.getProperty("xdplb.stateDir", System.getenv(STATE_DIR_ENV));
        Path stateDir = Path.of(dir == null || dir.isEmpty() ? "/var/lib/xdplb" : dir);
        return new Instance(layout, ConfigStore.forInstance(stateDir, layout.instance()));
    }

    public String name() {
        return layout.instance();
    }

    /** /run/xdplb/NAME: what lives only as long as this boot. */
    public Path runDir() {
        return RUN_ROOT.resolve(name());
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
