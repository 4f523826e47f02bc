package io.xdplb.cli;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.XdpAttachments;
import io.xdplb.attach.XdpAttachments.Attachment;
import io.xdplb.libbpf.Bpffs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show what xdplb has attached where (every instance), read from the pins under /sys/fs/bpf/xdplb.",
        footer = {"", "Examples:", "  xdplb status", "  xdplb status --json | jq -r '.attachments[] | .iface'"})
final class StatusCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        XdplbCommand.requireRoot("xdplb status");
        List<Attachment> all = new ArrayList<>();
        for (String instance : InstanceLayout.instances(Bpffs.ROOT.resolve("xdplb"))) {
            all.addAll(new XdpAttachments(InstanceLayout.of(instance)).list());
        }
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(Map.of("attachments", all)));
            return 0;
        }
        if (all.isEmpty()) {
            out.println("nothing attached (no links under " + Bpffs.ROOT.resolve("xdplb") + ")");
            return 0;
        }
        Table t = new Table("INSTANCE", "IFACE", "NETNS", "PROGRAM", "MODE", "PROG-ID", "LINK-ID", "STATE");
        for (Attachment a : all) {
            t.row(a.instance(), a.iface(), a.netns(), a.program(), a.mode(), a.progId(), a.linkId(), a.state());
        }
        t.print(out);
        return 0;
    }
}
