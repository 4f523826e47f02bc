package io.xdplb.cli;

import io.xdplb.UserError;
import io.xdplb.model.AttachMode;
import io.xdplb.model.Config;
import io.xdplb.model.Director;
import io.xdplb.model.Invalid;
import io.xdplb.model.IpAddresses;
import io.xdplb.model.Sizes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Map;

@Command(name = "attach", mixinStandardHelpOptions = true,
        description = {"Load the director program, program every VIP of the configuration into its maps, and attach"
                + " it to the ingress interface (pinned bpf_link: it stays after this command)."},
        footer = {"", "Examples:",
                "  xdplb attach --iface eth0                                   # on a stick: XDP_TX back out of eth0",
                "  xdplb attach --iface eth0 --netns lab-dir --gateway-mac auto --src4 192.0.2.10",
                "  xdplb attach --iface eth0 --egress eth1 --gateway-mac 02:00:00:00:00:01   # two NICs: bpf_redirect"})
final class AttachCommand implements Runnable {
    @Spec CommandSpec spec;
    @Mixin InterfaceOptions where;

    @Option(names = "--mode", defaultValue = "native", paramLabel = "native|generic", completionCandidates = Candidates.Modes.class,
            description = "XDP attach mode. Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--egress", paramLabel = "IF",
            description = "Send encapsulated packets out of this interface (bpf_redirect). Default: the ingress one (XDP_TX).")
    String egress;

    @Option(names = "--gateway-mac", defaultValue = "auto", paramLabel = "MAC|auto",
            description = "Next hop's MAC; auto reads the default route's gateway from the neighbour table. Default: ${DEFAULT-VALUE}.")
    String gatewayMac;

    @Option(names = "--src4", paramLabel = "ADDR", description = "Outer source of IPv4 tunnels. Default: the egress interface's IPv4 address.")
    String src4;

    @Option(names = "--src6", paramLabel = "ADDR", description = "Outer source of IPv6 tunnels. Default: the egress interface's IPv6 address.")
    String src6;

    @Option(names = "--gue-port", defaultValue = "6080", paramLabel = "N", description = "GUE destination port. Default: ${DEFAULT-VALUE}.")
    int guePort;

    @Option(names = "--mtu", defaultValue = "1500", paramLabel = "N",
            description = "Largest packet the egress link carries; bigger encapsulated packets get ICMP too-big. Default: ${DEFAULT-VALUE}.")
    int mtu;

    @Option(names = "--flood-threshold", defaultValue = "125000", paramLabel = "N",
            description = "SYN-flood mode: above N new flows per second on one CPU, that CPU stops inserting new flows"
                    + " into its connection table for the rest of the second (they still get their real from the"
                    + " Maglev ring; counted flood_bypass), so a flood cannot evict established flows. 0: no limit."
                    + " Default: ${DEFAULT-VALUE} (katran's).")
    int floodThreshold;

    @Option(names = "--max-vips", paramLabel = "N", description = "Load-time size: VIPs. Default: 64.")
    Integer maxVips;

    @Option(names = "--max-reals", paramLabel = "N", description = "Load-time size: reals (ids). Default: 4096.")
    Integer maxReals;

    @Option(names = "--ring-size", paramLabel = "PRIME", description = "Load-time size: Maglev ring slots per VIP (a prime). Default: 65537.")
    Integer ringSize;

    @Option(names = "--conn-table-size", paramLabel = "N", description = "Load-time size: connection table entries (LRU) per CPU: every CPU has a table of its own. Default: 65536.")
    Integer connTableSize;

    private static final Map<String, String> OPTION_OF_FIELD = Map.ofEntries(Map.entry("iface", "--iface"),
            Map.entry("netns", "--netns"), Map.entry("egress", "--egress"), Map.entry("gatewayMac", "--gateway-mac"),
            Map.entry("guePort", "--gue-port"), Map.entry("mtu", "--mtu"), Map.entry("floodThreshold", "--flood-threshold"),
            Map.entry("maxVips", "--max-vips"), Map.entry("maxReals", "--max-reals"), Map.entry("ringSize", "--ring-size"),
            Map.entry("connTableSize", "--conn-table-size"));

    @Override
    public void run() {
        var target = where.target();
        Director d;
        Sizes sizes;
        Instance instance = Instance.of(spec);
        try {
            d = new Director(target.iface(), target.netns(), AttachMode.parse(mode), egress, gatewayMac,
                    src4 == null ? null : IpAddresses.parse4(src4, "--src4"),
                    src6 == null ? null : IpAddresses.parse6(src6, "--src6"), guePort, mtu, floodThreshold);
            Sizes current = instance.service().director().config().sizes();
            sizes = new Sizes(maxVips != null ? maxVips : current.maxVips(), maxReals != null ? maxReals : current.maxReals(),
                    ringSize != null ? ringSize : current.ringSize(), connTableSize != null ? connTableSize : current.connTableSize());
        } catch (Invalid e) {
            // the model names its fields as the configuration file does; the operator typed options
            String option = OPTION_OF_FIELD.get(e.field());
            if (option == null) throw e;
            throw new UserError("bad " + option + " " + (e.value() == null ? "" : e.value() + ": ") + e.reason());
        }
        XdplbCommand.requireRoot("xdplb attach");
        Config c = instance.service().director().attach(d, sizes);
        spec.commandLine().getOut().println("attached balancer to " + d.where() + " (" + d.mode().label() + " mode, "
                + c.vips().size() + " VIPs programmed)");
    }
}
