package io.xdplb.cli;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.attach.ObjectSpec;
import io.xdplb.attach.PinnedObject;
import io.xdplb.libbpf.BpfProgram;
import java.util.List;
import io.xdplb.attach.XdpAttachments;
import io.xdplb.libbpf.XdpMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "pass", mixinStandardHelpOptions = true,
        description = {"Attach or detach the no-op XDP_PASS program.",
                "A veth delivers frames that XDP sent with XDP_TX or bpf_redirect only when its receiving peer"
                        + " has an XDP program too; put this one on such peers."},
        footer = {"", "Examples:", "  xdplb pass attach --iface veth1 --netns lab", "  xdplb pass detach --iface veth1 --netns lab"})
// its subcommands: XdplbCommand.GROUPS
final class PassCommand {
    static final String PROGRAM = "pass";
    /** A program without maps. */
    static final ObjectSpec SPEC = new ObjectSpec(PROGRAM, List.of(), List.of());

    @Command(name = "attach", mixinStandardHelpOptions = true,
            description = "Attach the XDP_PASS program to an interface (pinned link, survives this command).",
            footer = {"", "Example:", "  xdplb pass attach --iface veth-dir-peer --netns lab-router"})
    static final class Attach implements Runnable {
        @Spec CommandSpec spec;
        @Mixin InterfaceOptions where;

        @Option(names = "--mode", defaultValue = "native", paramLabel = "native|generic", completionCandidates = Candidates.Modes.class,
                description = "XDP attach mode. Default: ${DEFAULT-VALUE}.")
        String mode;

        @Override
        public void run() {
            XdpMode xdpMode = XdpMode.parse(mode);
            Target target = where.target();
            XdplbCommand.requireRoot("xdplb pass attach");
            Instance instance = Instance.of(spec);
            InstanceLayout layout = instance.layout();
            XdpAttachments attachments = new XdpAttachments(layout);
            PinnedObject pass = new PinnedObject(layout, SPEC);
            // under the instance's lock: parallel `pass attach`es neither race to pin nor unpin each other's program
            instance.store().locked(() -> {
                boolean created = pass.ensure();
                try (BpfProgram prog = pass.program()) {
                    attachments.attach(prog, target, xdpMode);
                } catch (RuntimeException e) {
                    if (created) pass.unpinIfUnused(attachments);
                    throw e;
                }
                return null;
            });
            spec.commandLine().getOut().println("attached " + PROGRAM + " to " + target + " (" + xdpMode.cliName()
                    + " mode)");
        }
    }

    @Command(name = "detach", mixinStandardHelpOptions = true,
            description = "Detach the XDP_PASS program from an interface and remove its pin.",
            footer = {"", "Example:", "  xdplb pass detach --iface veth-dir-peer --netns lab-router"})
    static final class Detach implements Runnable {
        @Spec CommandSpec spec;
        @Mixin InterfaceOptions where;

        @Override
        public void run() {
            Target target = where.target();
            XdplbCommand.requireRoot("xdplb pass detach");
            Instance instance = Instance.of(spec);
            XdpAttachments attachments = new XdpAttachments(instance.layout());
            instance.store().locked(() -> {
                attachments.detach(target, PROGRAM, "use the command that attached it (xdplb detach / realserver teardown)");
                new PinnedObject(instance.layout(), SPEC).unpinIfUnused(attachments);
                return null;
            });
            spec.commandLine().getOut().println("detached " + PROGRAM + " from " + target);
        }
    }
}
