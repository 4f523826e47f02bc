package io.xdplb.cli;

import io.xdplb.model.Config;
import io.xdplb.model.ConfigJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Print the instance's configuration file (director, VIPs, reals, real-server set-ups) as JSON,"
                + " ready for `xdplb apply -f`. Schema: docs/configuration.md."},
        footer = {"", "Example:", "  xdplb export > lb.json   # later, or after a reboot: xdplb apply -f lb.json"})
final class ExportCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        String text = Instance.of(spec).store().read();
        spec.commandLine().getOut().print(text != null ? text : ConfigJson.write(Config.EMPTY));
    }
}
