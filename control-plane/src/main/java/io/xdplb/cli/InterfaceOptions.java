package io.xdplb.cli;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.libbpf.Netns;
import picocli.CommandLine.Option;

/**
 * --iface IF [--netns NS|PATH | --container NAME], as every interface-touching command takes them
 * (NS like `ip -n`, PATH like `nsenter --net=`, NAME as `docker ps` shows it).
 */
final class InterfaceOptions {
    @Option(names = "--iface", required = true, paramLabel = "IF", description = "The network interface.")
    String iface;

    @Option(names = "--netns", paramLabel = "NS|PATH",
            description = "Network namespace of the interface: a name under /run/netns (like `ip -n NS`), a namespace"
                    + " file such as /proc/PID/ns/net (like `nsenter --net=PATH`), or container:NAME.")
    String netns;

    @Option(names = "--container", paramLabel = "NAME|ID",
            description = "The namespace of this running Docker container (the engine is asked for its process;"
                    + " DOCKER_HOST selects the engine). Same as --netns container:NAME.")
    String container;

    Target target() {
        if (container != null && netns != null) {
            throw new UserError("give either --netns or --container, not both");
        }
        return new Target(iface, container != null ? Netns.CONTAINER + container : netns);
    }
}
