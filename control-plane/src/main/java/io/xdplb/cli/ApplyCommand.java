package io.xdplb.cli;

import io.xdplb.UserError;
import io.xdplb.files.PrivateFiles;
import io.xdplb.model.Config;
import io.xdplb.model.ConfigJson;
import io.xdplb.model.Plan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Make the instance match a configuration file: the whole file is validated first, then the"
                + " director, VIPs, reals and real-server set-ups are added, changed or removed to match it."
                + " Compared with what is really attached, so applying a saved file after a reboot restores everything."},
        footer = {"", "Examples:", "  xdplb apply -f lb.json --dry-run     # print the plan, change nothing",
                "  xdplb apply -f lb.json", "  xdplb export > lb.json && xdplb apply -f lb.json   # nothing to do"})
final class ApplyCommand implements Runnable {
    @Spec CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The configuration (JSON; - for stdin): a regular file (or a link to one) of at most 64 MiB.")
    String file;

    @Option(names = "--dry-run", description = "Print what would be done; change nothing.")
    boolean dryRun;

    @Option(names = {"-j", "--json"}, description = "Print the plan as JSON.")
    boolean json;

    /** Far more than the largest configuration the maps can hold needs; a bigger input is a mistake. */
    static final long MAX_BYTES = 64L << 20;

    private static byte[] stdin() {
        try {
            byte[] b = System.in.readNBytes((int) MAX_BYTES + 1);
            if (b.length > MAX_BYTES) throw new UserError("config on stdin is larger than " + MAX_BYTES + " bytes");
            return b;
        } catch (IOException e) {
            throw new UserError("cannot read the config from stdin: " + e.getMessage());
        }
    }

    @Override
    public void run() {
        String text = new String(file.equals("-") ? stdin() : PrivateFiles.readRegular(Path.of(file), MAX_BYTES, "config file"),
                StandardCharsets.UTF_8);
        Config desired = ConfigJson.parse(text, file.equals("-") ? "stdin" : file);
        Instance instance = Instance.of(spec);
        XdplbCommand.requireRoot(dryRun ? "xdplb apply --dry-run" : "xdplb apply");
        var director = instance.service().director();
        Plan plan = dryRun ? director.plan(desired) : director.apply(desired);
        var out = spec.commandLine().getOut();
        if (json) out.println(Json.write(plan.toJson()));
        else out.print(plan.isEmpty() ? Plan.NOTHING_TO_DO + "\n" : plan.text() + (plan.text().endsWith("\n") ? "" : "\n"));
        if (dryRun && !json) out.println("(dry run: nothing changed)");
    }
}
