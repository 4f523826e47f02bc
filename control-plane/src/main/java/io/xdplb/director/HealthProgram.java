package io.xdplb.director;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.attach.ObjectSpec;
import io.xdplb.attach.PinnedObject;
import io.xdplb.attach.XdpAttachments;
import io.xdplb.libbpf.BpfLink;
import io.xdplb.libbpf.BpfProgram;
import io.xdplb.libbpf.Netns;
import io.xdplb.maps.Counter;
import io.xdplb.maps.HcTarget;
import io.xdplb.maps.LbConfig;
import io.xdplb.maps.PerCpuArray;
import io.xdplb.maps.TypedMap;
import io.xdplb.maps.U32;
import io.xdplb.model.Director;
import io.xdplb.model.Encap;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * bpf/healthcheck.bpf.o on the director's egress: loaded and pinned with the instance
 * (INSTANCE/healthcheck, maps hc_targets, hc_config, hc_stats), attached as a pinned tcx link
 * per interface (INSTANCE/tc-egress/IFACE@NS), so it stays between agent restarts. The agent
 * tells it which real each probe mark stands for.
 */
public final class HealthProgram implements AutoCloseable {
    public static final String NAME = "healthcheck";
    public static final int MARK_BASE = 0x584c0000;
    public static final int MAX_TARGETS = 65536;

    public static final ObjectSpec SPEC = new ObjectSpec(NAME, List.of("hc_targets", "hc_config", "hc_stats"),
            List.of(HcTarget.CODEC, LbConfig.CODEC, Counter.CODEC));

    private final InstanceLayout layout;
    private final PinnedObject pins;
    private TypedMap<Integer, HcTarget> targets;
    private TypedMap<Integer, LbConfig> config;
    private PerCpuArray stats;
    private final List<io.xdplb.libbpf.BpfMap> opened = new ArrayList<>();
    /** Every mark the checkers use, rewritten whenever the maps are (re)opened. */
    private final java.util.Map<Integer, HcTarget> wanted = new java.util.HashMap<>();

    public HealthProgram(InstanceLayout layout) {
        this.layout = layout;
        this.pins = new PinnedObject(layout, SPEC);
    }

    /**
     * Makes sure the program is loaded, attached to the director's egress interfaces, and has
     * the director's current tunnel settings. Call with the director attached.
     */
    public synchronized void ensure(Director director) {
        if (pins.ensure()) close(); // loaded afresh: the maps we held are not the pinned ones any more
        if (targets == null) {
            var t = pins.map("hc_targets");
            var c = pins.map("hc_config");
            var s = pins.map("hc_stats");
            opened.addAll(List.of(t, c, s));
            targets = new TypedMap<>(t, io.xdplb.maps.U32.CODEC, HcTarget.CODEC);
            config = new TypedMap<>(c, U32.CODEC, LbConfig.CODEC);
            stats = new PerCpuArray(s);
            wanted.forEach(targets::put);
        }
        try (BalancerMaps maps = BalancerMaps.pinned(layout)) {
            maps.lbConfig.get(0).ifPresent(cfg -> config.put(0, cfg));
        }
        List<Target> want = new ArrayList<>(List.of(new Target(director.iface(), director.netns())));
        if (director.egress() != null) want.add(new Target(director.egress(), director.netns()));
        for (Target t : want) attach(t);
    }

    private void attach(Target target) {
        Path pin = layout.tcLink(target);
        if (Files.exists(pin)) {
            try (BpfLink link = BpfLink.pinned(pin)) {
                if (link.info().ifindex() != 0) return; // still attached (a link whose interface went has ifindex 0)
            } catch (RuntimeException e) {
                // unreadable pin: replace it below
            }
            try {
                Files.deleteIfExists(pin);
            } catch (IOException e) {
                throw new UserError("cannot remove " + pin + ": " + e.getMessage());
            }
        }
        try {
            Files.createDirectories(layout.tcLinksDir());
        } catch (IOException e) {
            throw new UserError("cannot create " + layout.tcLinksDir() + ": " + e.getMessage());
        }
        try (BpfProgram prog = pins.program()) {
            Netns.run(target.netns(), () -> {
                int ifindex = XdpAttachments.ifindex(target);
                try (BpfLink link = BpfLink.attachTcxEgress(prog, ifindex)) {
                    link.pin(pin);
                }
            });
        }
    }

    /** Removes the program, its links and maps of the instance (the director was detached). */
    public static void remove(InstanceLayout layout) {
        Path dir = layout.tcLinksDir();
        if (Files.isDirectory(dir)) {
            try (var ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    try (BpfLink link = BpfLink.pinned(p)) {
                        link.detach();
                    } catch (RuntimeException ignored) {
                        // already defunct: removing the pin is enough
                    }
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UserError("cannot remove the health checker's links under " + dir + ": " + e.getMessage());
            }
        }
        new PinnedObject(layout, SPEC).unpin();
    }

    public synchronized void put(int mark, InetAddress real, Encap encap, int flags) {
        HcTarget t = new HcTarget(real, encap.number(), flags);
        wanted.put(mark, t);
        if (targets != null) targets.put(mark, t);
    }

    public synchronized void remove(int mark) {
        wanted.remove(mark);
        if (targets != null) targets.remove(mark);
    }

    /** The program's counters by name (encapped, no_target, ...), or none when not loaded. */
    public synchronized java.util.Map<String, Counter> counters(List<String> names) {
        if (stats == null) return java.util.Map.of();
        return Stats.global(stats, names);
    }

    public boolean loaded() {
        return targets != null;
    }

    @Override
    public synchronized void close() {
        for (var m : opened) m.close();
        opened.clear();
        targets = null;
        config = null;
        stats = null;
    }
}
