package io.xdplb.cli;

import io.xdplb.attach.InstanceLayout.Target;
import picocli.CommandLine.Option;

/** --iface IF [--netns NS], as every interface-touching command takes them (NS like `ip -n`). */
final class InterfaceOptions {
    @Option(names = "--iface", required = true, paramLabel = "IF", description = "The network interface.")
    String iface;

    @Option(names = "--netns", paramLabel = "NS",
            description = "Network namespace of the interface (a name under /run/netns, like `ip -n NS`).")
    String netns;

    Target target() {
        return new Target(iface, netns);
    }
}
