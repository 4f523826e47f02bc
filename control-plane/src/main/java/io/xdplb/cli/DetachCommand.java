package io.xdplb.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "detach", mixinStandardHelpOptions = true,
        description = {"Detach the director from the interface and remove its program and maps. The VIPs and reals"
                + " stay in the configuration file, so `xdplb attach` brings them back."},
        footer = {"", "Example:", "  xdplb detach --iface eth0 --netns lab-dir"})
final class DetachCommand implements Runnable {
    @Spec CommandSpec spec;
    @Mixin InterfaceOptions where;

    @Override
    public void run() {
        var target = where.target();
        XdplbCommand.requireRoot("xdplb detach");
        spec.commandLine().getOut().println(Instance.of(spec).service().director().detach(target).message());
    }
}
