package io.xdplb.cli;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.ObjectSpec;
import io.xdplb.attach.PinnedObject;
import io.xdplb.model.Config;
import io.xdplb.attach.XdpAttachments;
import io.xdplb.attach.XdpAttachments.Attachment;
import io.xdplb.director.BalancerMaps;
import io.xdplb.director.BalancerObject;
import io.xdplb.director.RingFingerprint;
import io.xdplb.bgp.Announcer;
import io.xdplb.bgp.BirdConfig;
import io.xdplb.bgp.Speaker;
import io.xdplb.bgp.SpeakerState;
import io.xdplb.model.Bgp;
import io.xdplb.model.IpAddresses;
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
import java.util.TreeSet;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show what xdplb has attached where (every instance), read from the pins under /sys/fs/bpf/xdplb,"
                + " and the VIPs of each attached balancer with the fingerprint of their live Maglev ring (RING: equal on"
                + " every director that sends the VIP's flows to the same reals) and BGP announcement, the BGP sessions"
                + " of every instance with a bgp section as its speaker (BIRD 2, run by `xdplb agent`) reports them, and"
                + " the real-server set-ups with their state.",
                "Exit status: 0 when everything is attached and set up; " + StatusCommand.NOT_HEALTHY + " when an"
                + " attachment is defunct (its interface or namespace is gone) or its interface was renamed, a program"
                + " is loaded but attached nowhere (a killed attach), a configuration names a director that is not attached (e.g. after a reboot), or a"
                + " real-server record is stale, incomplete or unreadable; each problem is listed with the command that"
                + " heals it. 1 when status itself failed."},
        footer = {"", "Examples:", "  xdplb status", "  xdplb status --json | jq -r '.attachments[] | .iface'",
                "  xdplb status >/dev/null || xdplb apply -f /var/lib/xdplb/default/config.json"})
final class StatusCommand implements Callable<Integer> {
    /** A real-server set-up as status shows it. */
    record RealServerRow(String instance, String iface, String netns, List<String> vips, List<String> tunnelAddresses,
                         int guePort, String mode, String state) {}

    /** Exit code while something is stale or defunct (docs/cli.md): scripts and monitoring can tell. */
    static final int NOT_HEALTHY = 3;

    /** A VIP of an attached balancer as status shows it; announcement is "-" without a bgp section. */
    record VipRow(String instance, String vip, String ringFingerprint, String announcement) {}

    /** A BGP session of an instance's speaker, as BIRD reports it. */
    record BgpRow(String instance, String peer, long asn, String protocol, String state, String info) {}

    @Spec CommandSpec spec;

    @Option(names = {"-j", "--json"}, description = "Print JSON instead of a table.")
    boolean json;

    /** Instances with a speaker directory under /run/xdplb (a speaker may outlive the balancer's pins). */
    private static List<String> speakerInstances() {
        List<String> out = new ArrayList<>();
        try (var ds = java.nio.file.Files.newDirectoryStream(io.xdplb.service.Instance.RUN_ROOT,
                d -> java.nio.file.Files.isDirectory(d.resolve("bgp")))) {
            for (var d : ds) out.add(d.getFileName().toString());
        } catch (java.io.IOException e) {
            // no /run/xdplb: nothing runs
        }
        return out;
    }

    /** The instance's bgp section; null without one, or when its file does not read (status shows the rest). */
    private static Bgp bgpSettings(io.xdplb.service.Instance inst) {
        try {
            return inst.store().load().bgp();
        } catch (io.xdplb.UserError e) {
            return null;
        }
    }

    @Override
    public Integer call() {
        XdplbCommand.requireRoot("xdplb status");
        List<Attachment> all = new ArrayList<>();
        List<RealServerRow> realservers = new ArrayList<>();
        List<VipRow> vips = new ArrayList<>();
        List<BgpRow> bgp = new ArrayList<>();
        TreeSet<String> instances = new TreeSet<>(InstanceLayout.instances(Bpffs.ROOT.resolve("xdplb")));
        instances.addAll(RealServerState.instances()); // records outlive pins (e.g. a bpffs emptied by a reboot of it)
        instances.addAll(speakerInstances()); // a speaker may outlive the pins too
        for (String instance : instances) {
            InstanceLayout layout = InstanceLayout.of(instance);
            io.xdplb.service.Instance inst = io.xdplb.service.Instance.named(instance);
            Bgp settings = bgpSettings(inst);
            SpeakerState speaker = new Speaker(instance, inst.runDir()).state();
            all.addAll(new XdpAttachments(layout).list());
            if (BalancerObject.pinned(layout).isPinned()) {
                try (BalancerMaps maps = BalancerMaps.pinned(layout)) {
                    RingFingerprint.of(maps).forEach((vip, ring) -> vips.add(new VipRow(instance, vip.toString(), ring,
                            Announcer.announcement(vip, settings, speaker))));
                }
            }
            if (settings != null) {
                for (Bgp.Peer p : settings.peers()) {
                    String name = BirdConfig.protocolName(p);
                    SpeakerState.Session s = speaker.session(name);
                    bgp.add(new BgpRow(instance, IpAddresses.format(p.address()), p.asn(), name,
                            s == null ? "down" : s.state(), s == null ? "speaker not running" : s.info()));
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
        List<String> problems = problems(all);
        boolean healthy = all.stream().allMatch(a -> a.state().equals(XdpAttachments.ATTACHED))
                && realservers.stream().allMatch(r -> r.state().equals(RealServerHealth.OK)) && problems.isEmpty();
        int rc = healthy ? 0 : NOT_HEALTHY;
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("attachments", all);
            doc.put("vips", vips);
            doc.put("bgp", bgp);
            doc.put("realservers", realservers);
            doc.put("problems", problems);
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
            Table v = new Table("INSTANCE", "VIP", "RING", "BGP");
            for (VipRow row : vips) v.row(row.instance(), row.vip(), row.ringFingerprint(), row.announcement());
            v.print(out);
        }
        if (!bgp.isEmpty()) {
            out.println();
            Table b = new Table("INSTANCE", "BGP PEER", "AS", "SESSION", "INFO");
            for (BgpRow row : bgp) b.row(row.instance(), row.peer(), row.asn(), row.state(), row.info());
            b.print(out);
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
        if (!problems.isEmpty()) {
            out.println();
            for (String p : problems) out.println("problem: " + p);
        }
        if (!healthy) {
            out.println();
            out.println("something is stale or defunct (see STATE): `xdplb apply -f` of the instance's file heals it,"
                    + " `xdplb realserver teardown` removes a stale set-up");
        }
        return rc;
    }

    /**
     * What is stale or defunct on the director side, each with the command that heals it:
     * attachments whose interface or namespace went away, programs loaded but attached nowhere
     * (a killed attach), and directors a configuration file names that are not attached.
     */
    private static List<String> problems(List<Attachment> attachments) {
        List<String> out = new ArrayList<>();
        for (Attachment a : attachments) {
            if (a.renamed()) {
                boolean balancer = a.program().equals(BalancerObject.NAME);
                out.add("instance " + a.instance() + ": " + a.renamedProblem(XdpAttachments.detachCommand(a.program()))
                        + (balancer ? "; `xdplb --instance " + a.instance() + " apply -f FILE` with \"iface\": \"" + a.ifaceNow()
                        + "\" re-records it there" : ""));
                continue;
            }
            if (a.state().equals(XdpAttachments.ATTACHED) || !a.program().equals(BalancerObject.NAME)) continue;
            String where = new InstanceLayout.Target(a.iface(), a.netns()).toString();
            out.add("instance " + a.instance() + ": balancer on " + where + " is " + a.state() + " (`xdplb --instance "
                    + a.instance() + " apply -f FILE` or `attach` re-attaches it, `detach` removes it)");
        }
        for (String instance : InstanceLayout.instances(Bpffs.ROOT.resolve("xdplb"))) {
            InstanceLayout layout = InstanceLayout.of(instance);
            List<String> running = attachments.stream().filter(a -> a.instance().equals(instance)).map(Attachment::program).toList();
            for (ObjectSpec o : List.of(BalancerObject.SPEC, PassCommand.SPEC)) {
                if (new PinnedObject(layout, o).isPinned() && !running.contains(o.name())) {
                    out.add("instance " + instance + ": the " + o.name() + " program is loaded but attached nowhere (a"
                            + " killed attach?); `xdplb --instance " + instance + " apply -f FILE`, `attach` or `detach` removes it");
                }
            }
        }
        for (String instance : io.xdplb.service.Instance.configured()) {
            io.xdplb.service.Instance inst = io.xdplb.service.Instance.named(instance);
            Config c;
            try {
                c = inst.store().load();
            } catch (UserError e) {
                out.add("instance " + instance + ": " + e.getMessage());
                continue;
            }
            if (c.director() == null) continue;
            // a renamed link recorded under the file's name is reported above, with its fix
            boolean live = attachments.stream().anyMatch(a -> a.instance().equals(instance)
                    && a.program().equals(BalancerObject.NAME) && a.live()
                    && (c.director().sameInterface(a.targetNow().iface(), a.netns())
                        || c.director().sameInterface(a.iface(), a.netns())));
            if (!live) {
                out.add("instance " + instance + ": its configuration names the director on " + c.director().where()
                        + " but it is not attached there; `xdplb --instance " + instance + " apply -f "
                        + inst.store().file() + "` attaches it");
            }
        }
        return out;
    }
}
