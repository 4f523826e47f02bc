package io.xdplb.cli;

import io.xdplb.UserError;
import io.xdplb.libbpf.XdpMode;
import io.xdplb.realserver.RealServerState;
import io.xdplb.realserver.RealServers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;

@Command(name = "realserver", mixinStandardHelpOptions = true,
        description = {"Make this host (or a namespace) a real server behind xdplb: VIPs on lo, ARP sysctls,"
                + " and the decap XDP program that strips the director's IPIP/GUE tunnels."},
        footer = {"", "Examples:", "  xdplb realserver setup --iface eth0 --vip 203.0.113.10",
                "  xdplb realserver teardown --iface eth0"})
// its subcommands: XdplbCommand.GROUPS
final class RealserverCommand {

    @Command(name = "setup", mixinStandardHelpOptions = true,
            description = {"Bind each VIP on lo (/32 or /128), set arp_ignore=1 and arp_announce=2 (all and IF) and"
                    + " rp_filter=2 (IF), and attach the decap program to IF. The values found are recorded so"
                    + " that teardown restores them."},
            footer = {"", "Example:", "  xdplb realserver setup --iface eth0 --netns lab-rs1 --vip 203.0.113.10"
                    + " --vip 2001:db8:f::10"})
    static final class Setup implements Runnable {
        @Spec CommandSpec spec;
        @Mixin InterfaceOptions where;

        @Option(names = "--vip", required = true, paramLabel = "ADDR",
                description = "A VIP address this real server answers for (repeat for several).")
        List<String> vips;

        @Option(names = "--gue-port", defaultValue = "6080", paramLabel = "N",
                description = "UDP port of GUE tunnels to strip. Default: ${DEFAULT-VALUE}.")
        int guePort;

        @Option(names = "--mode", defaultValue = "native", paramLabel = "native|generic", completionCandidates = Candidates.Modes.class,
                description = "XDP attach mode. Default: ${DEFAULT-VALUE}.")
        String mode;

        @Override
        public void run() {
            XdpMode xdpMode = XdpMode.parse(mode);
            if (guePort < 1 || guePort > 65535) throw new UserError("bad --gue-port " + guePort + ": must be 1..65535");
            var vipAddrs = RealServers.parseVips(vips);
            var target = where.target();
            XdplbCommand.requireRoot("xdplb realserver setup");
            Instance instance = Instance.of(spec);
            RealServerState s = instance.service().realServers().setup(target, vipAddrs, guePort, xdpMode);
            spec.commandLine().getOut().println("real server set up on " + target + ": VIPs " + String.join(", ", s.vips())
                    + " on lo, decap for " + String.join(", ", s.tunnelAddresses()) + " (GUE port " + s.guePort() + ")");
        }
    }

    @Command(name = "teardown", mixinStandardHelpOptions = true,
            description = "Undo setup: detach decap, remove the VIPs setup added to lo, restore the sysctls it found.",
            footer = {"", "Example:", "  xdplb realserver teardown --iface eth0 --netns lab-rs1"})
    static final class Teardown implements Runnable {
        @Spec CommandSpec spec;
        @Mixin InterfaceOptions where;

        @Option(names = "--vip", paramLabel = "ADDR", hidden = true,
                description = "Accepted for symmetry with setup; teardown undoes exactly what setup recorded.")
        List<String> vips;

        @Override
        public void run() {
            var target = where.target();
            XdplbCommand.requireRoot("xdplb realserver teardown");
            Instance instance = Instance.of(spec);
            List<String> notes = instance.service().realServers().teardown(target).notes();
            spec.commandLine().getOut().println("real server set-up removed from " + target
                    + (notes.isEmpty() ? "" : " (a stale record: cleaned what was left; " + String.join("; ", notes) + ")"));
        }
    }
}
