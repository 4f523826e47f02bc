package io.xdplb.cli;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.director.Balancer;
import io.xdplb.model.ConfigStore;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;

/**
 * The instance a command works on: its pins (/sys/fs/bpf/xdplb/NAME) and its configuration
 * file (/var/lib/xdplb/NAME/config.json; XDPLB_STATE_DIR, or the system property xdplb.stateDir, moves the
 * directory, e.g. for tests).
 */
record Instance(InstanceLayout layout, ConfigStore store) {
    static final String STATE_DIR_ENV = "XDPLB_STATE_DIR";

    static Instance of(CommandSpec spec) {
        InstanceLayout layout = InstanceLayout.of(XdplbCommand.instance(spec));
        String dir = System.getProperty("xdplb.stateDir", System.getenv(STATE_DIR_ENV));
        Path stateDir = Path.of(dir == null || dir.isEmpty() ? "/var/lib/xdplb" : dir);
        return new Instance(layout, ConfigStore.forInstance(stateDir, layout.instance()));
    }

    Balancer balancer() {
        return new Balancer(layout, store);
    }
}
