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

    /**
     * After a change of VIPs or reals: when the balancer is not live (never attached, detached, or
     * its interface gone), says that the change is only recorded in the configuration file.
     */
    void sayIfNotLive(java.io.PrintWriter out) {
        if (service.director().isAttached()) return;
        out.println("not live: the balancer of instance " + layout().instance() + " is not attached; the change is saved in "
                + store().file() + " and goes live with `xdplb attach` or `xdplb apply -f FILE`");
    }
}
