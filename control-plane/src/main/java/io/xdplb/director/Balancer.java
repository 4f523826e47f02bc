package io.xdplb.director;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.attach.PinnedObject;
import io.xdplb.attach.XdpAttachments;
import io.xdplb.attach.XdpAttachments.Attachment;
import io.xdplb.libbpf.BpfProgram;
import io.xdplb.libbpf.Netns;
import io.xdplb.libbpf.XdpMode;
import io.xdplb.maps.LbConfig;
import io.xdplb.model.Config;
import io.xdplb.model.ConfigStore;
import io.xdplb.model.Director;
import io.xdplb.model.Sizes;

import java.util.function.UnaryOperator;

/**
 * The director of one instance: its attachment and its configuration. Every change runs
 * inside one {@link ConfigStore#update}: the new configuration is validated first (the
 * model's constructors refuse bad input), the maps are brought to it, and only then is the
 * file written, so bad input changes nothing and parallel commands never lose an update.
 *
 * <p>Whether the balancer is attached is judged by its link (a pinned bpf_link whose program
 * is the balancer and which the interface really runs), never by its program pin alone: a
 * killed attach leaves pins without a link, and a deleted interface leaves a defunct link;
 * both are leftovers that attach, apply and detach remove.
 */
public final class Balancer {
    /** What detach did: the configuration now, and the line to tell the operator. */
    public record Detached(Config config, String message) {}

    private final InstanceLayout layout;
    private final ConfigStore store;
    private final XdpAttachments attachments;
    private final PinnedObject pins;
    /** What the maps get for a configuration: the file's weights, or (with health) the effective ones. */
    private final UnaryOperator<Config> forMaps;

    public Balancer(InstanceLayout layout, ConfigStore store) {
        this(layout, store, UnaryOperator.identity());
    }

    /**
     * forMaps turns a configuration into the one the maps hold, e.g. with failed reals at
     * weight 0; the file always keeps the configuration itself.
     */
    public Balancer(InstanceLayout layout, ConfigStore store, UnaryOperator<Config> forMaps) {
        this.layout = layout;
        this.store = store;
        this.attachments = new XdpAttachments(layout);
        this.pins = BalancerObject.pinned(layout);
        this.forMaps = forMaps;
    }

    public ConfigStore store() {
        return store;
    }

    /** The instance's link that runs the balancer program, live or defunct; null when there is none. */
    public Attachment link() {
        return attachments.find(BalancerObject.NAME);
    }

    /** True when the balancer is live: its maps pinned and its link attached to a live interface. */
    public boolean isAttached() {
        Attachment a = link();
        return a != null && a.live() && pins.isPinned();
    }

    /** Loads the director with these sizes, programs every VIP of the configuration, attaches it. */
    public Config attach(Director d, Sizes sizes) {
        return store.update(current -> attachIn(current, d, sizes));
    }

    /** Detaches the director from target and removes its program and maps; the VIPs stay in the file. */
    public Detached detach(Target target) {
        Detached[] out = new Detached[1];
        store.update(current -> {
            out[0] = detachIn(current, target);
            return out[0].config();
        });
        return out[0];
    }

    /**
     * Changes the configuration with change; when the director is attached, its maps follow.
     * change throws a UserError for bad input, before anything is touched.
     */
    public Config change(UnaryOperator<Config> change) {
        return store.update(current -> changeIn(current, change.apply(current)));
    }

    /**
     * attach, inside a configuration transaction: returns the new configuration. A defunct
     * attachment (interface or namespace gone) and the pins of a killed attach are replaced.
     */
    public Config attachIn(Config current, Director d, Sizes sizes) {
        Attachment live = link();
        if (live != null && live.live() && pins.isPinned()) {
            throw new UserError("the balancer of instance " + layout.instance() + " is already attached to "
                    + where(live) + "; `xdplb detach` it first, or use another --instance");
        }
        Target target = new Target(d.iface(), d.netns());
        Netns.run(d.netns(), () -> XdpAttachments.ifindex(target));
        LbConfig lb = LbSettings.resolve(d);
        Config next = current.withSizes(sizes).withDirector(d);
        removeLeftovers();
        attachments.requireFree(target); // before the maps are created
        pins.ensure(BalancerObject.setup(sizes));
        try {
            try (BalancerMaps maps = BalancerMaps.pinned(layout)) {
                maps.lbConfig.put(0, lb);
                new MapSync(maps).apply(null, forMaps.apply(next));
            }
            try (BpfProgram prog = pins.program()) {
                attachments.attach(prog, target, XdpMode.parse(d.mode().label()));
            }
        } catch (RuntimeException e) {
            pins.unpin();
            throw e;
        }
        return next;
    }

    /**
     * Removes whatever of the balancer is left: its links (live, or defunct since their interface
     * went away) and its pins. Returns true when there was something.
     */
    public boolean removeLeftovers() {
        boolean any = pins.isPinned();
        for (Attachment a : attachments.list()) {
            if (!a.program().equals(BalancerObject.NAME)) continue;
            attachments.detachRecorded(a.target(), BalancerObject.NAME, null);
            any = true;
        }
        pins.unpin(); // also maps of a load killed before its program was pinned
        return any;
    }

    /** detach, inside a configuration transaction. */
    public Detached detachIn(Config current, Target target) {
        Attachment a = link();
        // by the interface's name now: a renamed one's old name refers to another interface (or none)
        boolean here = a != null && (a.target().equals(target) || a.isNowOn(target));
        if (here) {
            String state = a.state();
            attachments.detach(target, BalancerObject.NAME, "use `xdplb pass detach` or `xdplb realserver teardown`");
            pins.unpin();
            String msg = a.isNowOn(target) ? "detached balancer from " + target + " (attached as " + a.iface() + ", renamed since)"
                    : state.equals(XdpAttachments.ATTACHED) ? "detached balancer from " + target
                    : "removed the balancer's " + state + " attachment on " + target;
            return new Detached(current.withDirector(null), msg);
        }
        boolean inFile = current.director() != null && current.director().sameInterface(target.iface(), target.netns());
        if (a == null && (pins.isPinned() || inFile)) {
            removeLeftovers(); // a killed attach, or a reboot: nothing runs, clean what is left
            return new Detached(current.withDirector(null), "the balancer was not attached to " + target
                    + "; removed its leftover pins and configuration entry (VIPs and reals stay in the file)");
        }
        // not the balancer's: this says what is there (pass, decap) or that nothing is, and throws
        attachments.detach(target, BalancerObject.NAME, "use `xdplb pass detach` or `xdplb realserver teardown`");
        throw new UserError("the balancer of instance " + layout.instance() + " is not attached to " + target);
    }

    /** Brings the maps (when attached) from current to next, inside a configuration transaction. */
    public Config changeIn(Config current, Config next) {
        if (isAttached()) {
            try (BalancerMaps maps = BalancerMaps.pinned(layout)) {
                requireSizes(maps, next);
                new MapSync(maps).apply(forMaps.apply(current), forMaps.apply(next));
            }
        }
        return next;
    }

    /** Makes the live maps hold exactly desired; returns how many VIPs had to be repaired. */
    public int reconcileIn(Config desired) {
        try (BalancerMaps maps = BalancerMaps.pinned(layout)) {
            requireSizes(maps, desired);
            return new MapSync(maps).reconcile(forMaps.apply(desired));
        }
    }

    /** The director's settings the live maps hold now (only when {@link #isAttached}); null when none were written. */
    public LbConfig liveLbConfig() {
        try (BalancerMaps maps = BalancerMaps.pinned(layout)) {
            return maps.lbConfig.get(0).orElse(null);
        }
    }

    /**
     * Makes the live lb_config hold wanted (in place: the link, the connection tables and every
     * other map stay); returns what differed, "field live -> wanted", empty when it already matched.
     */
    public java.util.List<String> reconcileLbConfig(LbConfig wanted) {
        try (BalancerMaps maps = BalancerMaps.pinned(layout)) {
            LbConfig live = maps.lbConfig.get(0).orElse(null);
            if (wanted.equals(live)) return java.util.List.of();
            maps.lbConfig.put(0, wanted);
            return live == null ? java.util.List.of("settings none -> written") : live.differences(wanted);
        }
    }

    /** The sizes the live maps were created with (only when {@link #isAttached}). */
    public Sizes liveSizes() {
        try (BalancerMaps maps = BalancerMaps.pinned(layout)) {
            return maps.sizes();
        }
    }

    private static void requireSizes(BalancerMaps maps, Config next) {
        if (!maps.sizes().equals(next.sizes())) {
            throw new UserError("the attached balancer was loaded with sizes " + maps.sizes()
                    + "; changing sizes needs `xdplb detach` and `xdplb attach` again");
        }
    }

    private static String where(Attachment a) {
        return a.renamed() ? a.targetNow() + " (attached as " + a.iface() + ", renamed since)" : a.target().toString();
    }

    /**
     * When the live link's interface was renamed, re-records the link under the interface's name
     * now (the link and the program on the interface stay); returns the attachment as it was, or null.
     */
    public Attachment followRename() {
        Attachment a = link();
        if (a == null || !a.renamed()) return null;
        attachments.followRename(a);
        return a;
    }
}
