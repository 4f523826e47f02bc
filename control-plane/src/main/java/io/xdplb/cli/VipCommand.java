package io.xdplb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.xdplb.UserError;
import io.xdplb.model.ConfigJson;
import io.xdplb.model.Encap;
import io.xdplb.model.HealthCheck;
import io.xdplb.model.Invalid;
import io.xdplb.model.IpAddresses;
import io.xdplb.model.Real;
import io.xdplb.model.Vip;
import io.xdplb.model.VipConfig;
import io.xdplb.model.VipFlag;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

@Command(name = "vip", mixinStandardHelpOptions = true,
        description = "Add, delete and list virtual services (VIP = address, port, protocol).",
        footer = {"", "Examples:", "  xdplb vip add 192.0.2.10:80/tcp --encap gue", "  xdplb vip list --json",
                "  xdplb vip del 192.0.2.10:80/tcp"})
// its subcommands: XdplbCommand.GROUPS
final class VipCommand {

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a VIP. Port 0 means every port of the address. Without reals it drops its traffic"
                    + " (counted as no real) until `xdplb real add` gives it some."},
            footer = {"", "Flags: no-sport (hash without the source port), no-conntrack (never use the connection table),",
                    "       dport-only (hash on the destination port only).", "", "Examples:",
                    "  xdplb vip add 192.0.2.10:80/tcp",
                    "  xdplb vip add [2001:db8::10]:443/udp --encap gue --flag no-sport",
                    "  xdplb vip add 192.0.2.10:80/tcp --check http,path=/healthz,interval=1s"})
    static final class Add implements Runnable {
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "VIP", description = "ADDR:PORT/PROTO, e.g. 192.0.2.10:80/tcp or [2001:db8::10]:443/udp")
        String vip;

        @Option(names = "--encap", defaultValue = "ipip", paramLabel = "ipip|gue", completionCandidates = Candidates.Encaps.class,
                description = "How packets reach the reals. Default: ${DEFAULT-VALUE}.")
        String encap;

        @Option(names = "--flag", paramLabel = "NAME", completionCandidates = Candidates.Flags.class, description = "A VIP flag (repeatable): no-sport, no-conntrack, dport-only.")
        List<String> flags = new ArrayList<>();

        @Option(names = "--check", paramLabel = "KIND[,KEY=VALUE]...", description = {
                "Health check of the reals, run by `xdplb agent` through the tunnel: tcp, http, udp or none"
                        + " (default), with port=N interval=2s timeout=1s rise=2 fall=3; http also path=/ expect=200-399"
                        + " host=NAME; udp payload=TEXT. E.g. http,path=/healthz,interval=1s."})
        String check;

        @Override
        public void run() {
            Vip v = Vip.parse(vip);
            Encap e = Encap.parse(encap);
            List<VipFlag> f = flags.stream().map(VipFlag::parse).toList();
            HealthCheck hc = check == null ? HealthCheck.NONE : HealthCheck.parse(check);
            VipConfig vc = checked(() -> VipConfig.of(v, e, f).withCheck(hc));
            Instance instance = Instance.of(spec);
            XdplbCommand.requireRoot("xdplb vip add");
            instance.service().director().addVip(vc);
            spec.commandLine().getOut().println("added VIP " + v + " (encap " + e.label() + (f.isEmpty() ? "" : ", flags "
                    + VipFlag.format(f)) + (hc.enabled() ? ", check " + hc.format() : "") + ")");
            instance.sayIfNotLive(spec.commandLine().getOut());
        }
    }

    /** A check that does not fit its VIP, worded for the command line. */
    static VipConfig checked(java.util.function.Supplier<VipConfig> make) {
        try {
            return make.get();
        } catch (Invalid e) {
            throw new UserError("bad --check: " + e.reason());
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Change how the reals of an existing VIP are health-checked (none: not at all). The running"
                    + " agent picks the change up at once; reals keep their state until the new check decides."},
            footer = {"", "Examples:", "  xdplb vip check 192.0.2.10:80/tcp http,path=/healthz,expect=200",
                    "  xdplb vip check 192.0.2.10:80/tcp tcp,interval=1s,fall=2", "  xdplb vip check 192.0.2.10:80/tcp none"})
    static final class Check implements Runnable {
        @Spec CommandSpec spec;

        @Parameters(index = "0", paramLabel = "VIP", description = "ADDR:PORT/PROTO")
        String vip;

        @Parameters(index = "1", paramLabel = "KIND[,KEY=VALUE]...", description = "As `vip add --check`.")
        String check;

        @Override
        public void run() {
            Vip v = Vip.parse(vip);
            HealthCheck hc = HealthCheck.parse(check);
            checked(() -> VipConfig.of(v, Encap.DEFAULT, List.of()).withCheck(hc));
            Instance instance = Instance.of(spec);
            XdplbCommand.requireRoot("xdplb vip check");
            instance.service().director().setCheck(v, hc);
            spec.commandLine().getOut().println("VIP " + v + ": check " + hc.format());
            instance.sayIfNotLive(spec.commandLine().getOut());
        }
    }

    @Command(name = "del", mixinStandardHelpOptions = true,
            description = "Delete a VIP and its reals; its flows are forgotten.",
            footer = {"", "Example:", "  xdplb vip del 192.0.2.10:80/tcp"})
    static final class Del implements Runnable {
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "VIP", description = "ADDR:PORT/PROTO")
        String vip;

        @Override
        public void run() {
            Vip v = Vip.parse(vip);
            Instance instance = Instance.of(spec);
            XdplbCommand.requireRoot("xdplb vip del");
            instance.service().director().deleteVip(v);
            spec.commandLine().getOut().println("deleted VIP " + v);
            instance.sayIfNotLive(spec.commandLine().getOut());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List the VIPs of the configuration with their encapsulation, flags and reals, and, when the"
                    + " balancer is attached, the fingerprint of each VIP's live Maglev ring (RING): directors with"
                    + " the same fingerprint send every flow of that VIP to the same real."},
            footer = {"", "Examples:", "  xdplb vip list", "  xdplb vip list --json | jq -r '.[].vip'"})
    static final class ListVips implements Runnable {
        @Spec CommandSpec spec;

        @Option(names = {"-j", "--json"}, description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public void run() {
            var out = spec.commandLine().getOut();
            Instance instance = Instance.of(spec);
            var director = instance.service().director();
            List<VipConfig> vips = director.vips();
            Map<Vip, String> rings = director.ringFingerprints();
            if (json) {
                ArrayNode arr = Json.NODES.arrayNode();
                for (VipConfig v : vips) arr.add(ConfigJson.toJson(v).put("ringFingerprint", rings.get(v.vip())));
                out.println(Json.write(arr));
                return;
            }
            if (vips.isEmpty()) {
                out.println("no VIPs in instance " + instance.layout().instance() + " (add one with `xdplb vip add ADDR:PORT/PROTO`)"
                        + instance.service().othersHint());
                return;
            }
            Table t = new Table("VIP", "ENCAP", "FLAGS", "CHECK", "RING", "REALS (weight)");
            for (VipConfig v : vips) {
                List<String> reals = new ArrayList<>();
                for (Real r : v.reals()) reals.add(IpAddresses.format(r.address()) + "(" + r.weight() + ")");
                t.row(v.vip(), v.encap().label(), v.flags().isEmpty() ? "-" : VipFlag.format(v.flags()),
                        v.check().kind().label(), rings.getOrDefault(v.vip(), "-"), reals.isEmpty() ? "-" : String.join(" ", reals));
            }
            t.print(out);
        }
    }
}
