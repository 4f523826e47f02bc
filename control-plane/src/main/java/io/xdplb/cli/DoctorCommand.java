package io.xdplb.cli;

import io.xdplb.UserError;
import io.xdplb.service.doctor.Check;
import io.xdplb.service.doctor.Doctor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check the director and the real servers of this instance for every known way packets are lost"
                + " silently (veth peers without XDP, checksum offload, gateway MAC, MTU, firewalls, rings, growing drop"
                + " and kernel error counters, ...). Read only.",
                "Each check prints ok, warn or fail with what it saw and the command that fixes it. Counters that must"
                        + " not grow are read twice, --interval apart. Exit status 1 when any check fails."},
        footer = {"", "Examples:", "  xdplb doctor", "  xdplb --instance xl doctor --json | jq '.checks[] | select(.status != \"ok\")'"})
final class DoctorCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = {"-j", "--json"}, description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2",
            description = "Time between the two readings of the counters that must not grow. Default: ${DEFAULT-VALUE}.")
    double interval;

    @Override
    public Integer call() {
        if (!(interval >= 0.1 && interval <= 60)) throw new UserError("--interval " + interval + ": give 0.1 to 60 seconds");
        Instance instance = Instance.of(spec);
        XdplbCommand.requireRoot("xdplb doctor");
        Doctor.Report report = Doctor.run(instance.layout(), instance.store().load(), instance.store().file(), interval);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("instance", report.instance());
            doc.put("intervalSeconds", report.intervalSeconds());
            doc.put("failed", report.count(Check.Status.FAIL));
            doc.put("warnings", report.count(Check.Status.WARN));
            doc.put("checks", report.checks());
            out.println(Json.write(doc));
        } else {
            Table t = new Table("STATUS", "CHECK", "WHERE", "SAW");
            for (Check c : report.checks()) t.row(c.status().label(), c.check(), c.where(), c.saw());
            t.print(out);
            boolean header = false;
            for (Check c : report.checks()) {
                if (c.fix() == null) continue;
                if (!header) {
                    out.println();
                    out.println("to fix:");
                    header = true;
                }
                out.println("  " + c.status().label() + " " + c.check() + " (" + c.where() + "): " + c.fix());
            }
            out.println();
            out.println(report.count(Check.Status.FAIL) + " failed, " + report.count(Check.Status.WARN) + " warnings, "
                    + report.count(Check.Status.OK) + " ok (counters read " + report.intervalSeconds() + " s apart)");
        }
        return report.failed() ? 1 : 0;
    }
}
