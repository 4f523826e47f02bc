package io.xdplb.libbpf;

import io.xdplb.Messages;
import io.xdplb.UserError;
import io.xdplb.libbpf.gen.Libbpf;

/** How an XDP program is attached: in the driver (native) or in the generic skb path. */
public enum XdpMode {
    NATIVE, GENERIC;

    int flags() {
        return this == NATIVE ? Libbpf.XDP_FLAGS_DRV_MODE() : Libbpf.XDP_FLAGS_SKB_MODE();
    }

    public String cliName() {
        return name().toLowerCase();
    }

    public static XdpMode parse(String s) {
        for (XdpMode m : values()) if (m.cliName().equals(s)) return m;
        throw new UserError("bad XDP mode " + Messages.quote(s) + ": must be native or generic");
    }

    /** The mode bpf_xdp_query reports (XDP_ATTACHED_*), or null when nothing is attached. */
    static XdpMode ofAttached(int attachMode) {
        if (attachMode == Libbpf.XDP_ATTACHED_DRV()) return NATIVE;
        if (attachMode == Libbpf.XDP_ATTACHED_SKB()) return GENERIC;
        return null;
    }
}
