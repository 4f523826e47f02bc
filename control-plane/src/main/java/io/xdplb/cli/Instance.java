package io.xdplb.cli;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.model.ConfigStore;
import picocli.CommandLine.Model.CommandSpec;

/** The instance a command works on (--instance), and the service layer over it. */
record Instance(io.xdplb.service.Instance service) {
    static Instance of(CommandSpec spec) {
        return new Instance(io.xdplb.service.Instance.named(XdplbCommand.instance(spec)));
    }

    InstanceLayout layout() {
        return service.layout();
    }

    ConfigStore store() {
        return service.store();
    }
}
