package io.xdplb.cli;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.XdpAttachments;
import io.xdplb.attach.XdpAttachments.Attachment;
import io.xdplb.director.BalancerMaps;
import io.xdplb.director.BalancerObject;
import io.xdplb.director.RingFingerprint;
import io.xdplb.libbpf.Bpffs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.xdplb.realserver.RealServerHealth;
import io.xdplb.realserver.RealServerState;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show what xdplb has attached where (every instance), read from the pins under /sys/fs/bpf/xdplb,"
                + " and the VIPs of each attached balancer with the fingerprint of their live Maglev ring (RING: equal on"
                + " every director that sends the VIP's flows to the same reals), and the real-server set-ups with their state.",
                "Exit status: 0 when everything is attached and set up; " + StatusCommand.NOT_HEALTHY + " when an"
                + " attachment is defunct or a real-server record is stale, incomplete or unreadable."},
        footer = {"", "Examples:", "  xdplb status", "  xdplb status --json | jq -r '.attachments[] | .iface'"})
final class StatusCommand implements Callable<Integer> {
    /** A real-server set-up as status shows it. */
    record RealServerRow(String instance, String iface, String netns, List<String> vips, List<String> tunnelAddresses,
                         int guePort, String mode, String state) {}

    /** Exit code while something is stale or defunct (docs/cli.md): scripts and monitoring can tell. */
    static final int NOT_HEALTHY = 3;

    /** A VIP of an attached balancer as status shows it. */
    record VipRow(String instance, String vip, String ringFingerprint) {}

    @Spec CommandSpec spec;

    @Option(names = {"-j", "--json"}, description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        XdplbCommand.requireRoot("xdplb status");
        List<Attachment> all = new ArrayList<>();
        List<RealServerRow> realservers = new ArrayList<>();
        List<VipRow> vips = new ArrayList<>();
        java.util.TreeSet<String> instances = new java.util.TreeSet<>(InstanceLayout.instances(Bpffs.ROOT.resolve("xdplb")));
        instances.addAll(RealServerState.instances()); // records outlive pins (e.g. a bpffs emptied by a reboot of it)
        for (String instance : instances) {
            InstanceLayout layout = InstanceLayout.of(instance);
            all.addAll(new XdpAttachments(layout).list());
            if (BalancerObject.pinned(layout).isPinned()) {
                try (BalancerMaps maps = BalancerMaps.pinned(layout)) {
                    RingFingerprint.of(maps).forEach((vip, ring) -> vips.add(new VipRow(instance, vip.toString(), ring)));
                }
            }
            for (RealServerState s : RealServerState.all(instance)) {
                realservers.add(new RealServerRow(instance, s.iface(), s.netns(), s.vips(), s.tunnelAddresses(), s.guePort(),
                        s.mode(), RealServerHealth.state(s, layout)));
            }
            for (java.nio.file.Path bad : RealServerState.unreadable(instance)) {
                realservers.add(new RealServerRow(instance, bad.getFileName().toString(), null, List.of(), List.of(), 0, "-",
                        "unreadable record " + bad + ": remove it"));
            }
        }
        boolean healthy = all.stream().allMatch(a -> a.state().equals("attached"))
                && realservers.stream().allMatch(r -> r.state().equals(RealServerHealth.OK));
        int rc = healthy ? 0 : NOT_HEALTHY;
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("attachments", all);
            doc.put("vips", vips);
            doc.put("realservers", realservers);
            out.println(Json.write(doc));
            return rc;
        }
        if (all.isEmpty()) {
            out.println("nothing attached (no links under " + Bpffs.ROOT.resolve("xdplb") + ")");
        } else {
            Table t = new Table("INSTANCE", "IFACE", "NETNS", "PROGRAM", "MODE", "PROG-ID", "LINK-ID", "STATE");
            for (Attachment a : all) {
                t.row(a.instance(), a.iface(), a.netns(), a.program(), a.mode(), a.progId(), a.linkId(), a.state());
            }
            t.print(out);
        }
        if (!vips.isEmpty()) {
            out.println();
            Table v = new Table("INSTANCE", "VIP", "RING");
            for (VipRow row : vips) v.row(row.instance(), row.vip(), row.ringFingerprint());
            v.print(out);
        }
        if (!realservers.isEmpty()) {
            out.println();
            Table r = new Table("INSTANCE", "REAL SERVER", "NETNS", "VIPS ON LO", "TUNNEL ADDRESSES", "GUE PORT", "MODE",
                    "STATE");
            for (RealServerRow s : realservers) {
                r.row(s.instance(), s.iface(), s.netns(), String.join(",", s.vips()), String.join(",", s.tunnelAddresses()),
                        s.guePort(), s.mode(), s.state());
            }
            r.print(out);
        }
        if (!healthy) {
            out.println();
            out.println("something is stale or defunct (see STATE): `xdplb apply -f` of the instance's file heals it,"
                    + " `xdplb realserver teardown` removes a stale set-up");
        }
        return rc;
    }
}
