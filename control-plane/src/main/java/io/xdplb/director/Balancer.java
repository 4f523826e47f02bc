package io.xdplb.director;

import io.xdplb.UserError;
import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.attach.PinnedObject;
import io.xdplb.attach.XdpAttachments;
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
 */
public final class Balancer {
    private final InstanceLayout layout;
    private final ConfigStore store;
    private final XdpAttachments attachments;
    private final PinnedObject pins;

    public Balancer(InstanceLayout layout, ConfigStore store) {
        this.layout = layout;
        this.store = store;
        this.attachments = new XdpAttachments(layout);
        this.pins = BalancerObject.pinned(layout);
    }

    public ConfigStore store() {
        return store;
    }

    public boolean isAttached() {
        return pins.isPinned();
    }

    /** Loads the director with these sizes, programs every VIP of the configuration, attaches it. */
    public Config attach(Director d, Sizes sizes) {
        return store.update(current -> attachIn(current, d, sizes));
    }

    /** Detaches the director from target and removes its program and maps; the VIPs stay in the file. */
    public Config detach(Target target) {
        return store.update(current -> detachIn(current, target));
    }

    /**
     * Changes the configuration with change; when the director is attached, its maps follow.
     * change throws a UserError for bad input, before anything is touched.
     */
    public Config change(UnaryOperator<Config> change) {
        return store.update(current -> changeIn(current, change.apply(current)));
    }

    /** attach, inside a configuration transaction: returns the new configuration. */
    public Config attachIn(Config current, Director d, Sizes sizes) {
        if (isAttached()) {
            String where = current.director() == null ? "an interface" : current.director().where();
            throw new UserError("the balancer of instance " + layout.instance() + " is already attached to " + where
                    + "; `xdplb detach` it first, or use another --instance");
        }
        Target target = new Target(d.iface(), d.netns());
        Netns.run(d.netns(), () -> XdpAttachments.ifindex(target));
        LbConfig lb = LbSettings.resolve(d);
        Config next = current.withSizes(sizes).withDirector(d);
        pins.ensure(BalancerObject.setup(sizes));
        try {
            try (BalancerMaps maps = BalancerMaps.pinned(layout)) {
                maps.lbConfig.put(0, lb);
                new MapSync(maps).apply(null, next);
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

    /** detach, inside a configuration transaction. */
    public Config detachIn(Config current, Target target) {
        attachments.detach(target, BalancerObject.NAME, "use `xdplb pass detach` or `xdplb realserver teardown`");
        pins.unpin();
        return current.withDirector(null);
    }

    /** Brings the maps (when attached) from current to next, inside a configuration transaction. */
    public Config changeIn(Config current, Config next) {
        if (isAttached()) {
            try (BalancerMaps maps = BalancerMaps.pinned(layout)) {
                if (!maps.sizes().equals(next.sizes())) {
                    throw new UserError("the attached balancer was loaded with sizes " + maps.sizes()
                            + "; changing sizes needs `xdplb detach` and `xdplb attach` again");
                }
                new MapSync(maps).apply(current, next);
            }
        }
        return next;
    }
}
