package io.xdplb.service.doctor;

import io.xdplb.libbpf.Netns;

import io.xdplb.attach.InstanceLayout;
import io.xdplb.attach.XdpAttachments;
import io.xdplb.attach.XdpAttachments.Attachment;
import io.xdplb.director.BalancerMaps;
import io.xdplb.director.BalancerObject;
import io.xdplb.maps.DecapConfig;
import io.xdplb.maps.IpAddr;
import io.xdplb.maps.LbConfig;
import io.xdplb.model.Config;
import io.xdplb.model.Director;
import io.xdplb.model.Encap;
import io.xdplb.model.VipConfig;
import io.xdplb.realserver.DecapMaps;
import io.xdplb.realserver.DecapProgram;
import io.xdplb.realserver.RealServerState;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything doctor knows about one instance, read once: the configuration file, what is
 * attached, the real-server set-ups, and the live settings in the maps (lb_config,
 * decap_config, decap_addrs). Nothing is written.
 */
record Scene(InstanceLayout layout, Config config, java.nio.file.Path configFile, List<Attachment> attachments,
             List<RealServerState> realservers, LbConfig lb, DecapConfig decap, Set<InetAddress> decapAddrs) {

    static Scene read(InstanceLayout layout, Config config, java.nio.file.Path configFile) {
        List<Attachment> attachments = new XdpAttachments(layout).list();
        List<RealServerState> realservers = RealServerState.all(layout.instance());
        LbConfig lb = null;
        if (BalancerObject.pinned(layout).isPinned()) {
            try (BalancerMaps maps = BalancerMaps.pinned(layout)) {
                lb = maps.lbConfig.get(0).orElse(null);
            }
        }
        DecapConfig decap = null;
        Set<InetAddress> addrs = Set.of();
        if (DecapProgram.pinned(layout).isPinned()) {
            try (DecapMaps maps = DecapMaps.pinned(layout)) {
                decap = maps.config.get(0).orElse(null);
                addrs = maps.addrs.entries().keySet().stream().map(IpAddr::address).collect(Collectors.toSet());
            }
        }
        return new Scene(layout, config, configFile, attachments, realservers, lb, decap, addrs);
    }

    String instance() {
        return layout.instance();
    }

    Director director() {
        return config.director();
    }

    boolean balancerLoaded() {
        return lb != null;
    }

    /** The interface the director's frames leave by (XDP_TX: the one it is attached to). */
    Host.If egress() {
        Director d = director();
        return new Host.If(d.netns(), d.egress() != null ? d.egress() : d.iface());
    }

    Host.If ingress() {
        return new Host.If(director().netns(), director().iface());
    }

    boolean anyGue() {
        return config.vips().stream().anyMatch(v -> v.encap() == Encap.GUE);
    }

    /** `xdplb [--instance NAME] ` for the fix commands. */
    String xdplb() {
        return instance().equals("default") ? "xdplb " : "xdplb --instance " + instance() + " ";
    }

    /** " --netns NS" or "". */
    static String netnsOpt(String netns) {
        if (netns == null) return "";
        return Netns.isContainer(netns) ? " --container " + netns.substring(Netns.CONTAINER.length()) : " --netns " + netns;
    }

    /** The VIPs of the configuration that send to one of these addresses. */
    List<VipConfig> vipsServedBy(List<String> tunnelAddresses) {
        Set<InetAddress> mine = tunnelAddresses.stream().map(io.xdplb.maps.Addresses::parseLiteral)
                .collect(Collectors.toSet());
        return config.vips().stream().filter(v -> v.reals().stream().anyMatch(r -> mine.contains(r.address()))).toList();
    }
}
