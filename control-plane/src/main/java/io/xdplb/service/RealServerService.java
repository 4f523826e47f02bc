package io.xdplb.service;

import io.xdplb.attach.InstanceLayout.Target;
import io.xdplb.libbpf.XdpMode;
import io.xdplb.model.AttachMode;
import io.xdplb.model.RealServer;
import io.xdplb.realserver.RealServerState;
import io.xdplb.realserver.RealServers;

import java.net.InetAddress;
import java.util.List;

/** Real-server set-ups of this host (VIPs on lo, sysctls, decap), recorded in the configuration file. */
public final class RealServerService {
    private final Instance instance;

    RealServerService(Instance instance) {
        this.instance = instance;
    }

    /** Sets up target and records it in the file; returns what was done. */
    public RealServerState setup(Target target, List<InetAddress> vips, int guePort, XdpMode mode) {
        RealServerState[] done = new RealServerState[1];
        instance.store().update(c -> {
            var next = c.withRealServer(new RealServer(target.iface(), target.netns(), vips, guePort,
                    AttachMode.parse(mode.cliName())));
            done[0] = new RealServers(instance.layout()).setup(target, vips, guePort, mode);
            return next;
        });
        return done[0];
    }

    /** Undoes what setup recorded on target and removes it from the file; says what a stale record left undone. */
    public RealServers.Teardown teardown(Target target) {
        RealServers.Teardown[] done = new RealServers.Teardown[1];
        instance.store().update(c -> {
            done[0] = new RealServers(instance.layout()).teardown(target);
            boolean listed = c.realservers().stream().anyMatch(r -> r.sameInterface(target.iface(), target.netns()));
            return listed ? c.withoutRealServer(target.iface(), target.netns()) : c;
        });
        return done[0];
    }

    /** The set-ups that exist now (records under /run, which a reboot empties). */
    public List<RealServerState> active() {
        return RealServerState.all(instance.name());
    }
}
