package io.xdplb.libbpf;

import io.xdplb.libbpf.gen.Libbpf;
import io.xdplb.libbpf.gen.bpf_xdp_query_opts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** What XDP program an interface has (bpf_xdp_query), in the calling thread's namespace. */
public final class Xdp {
    private Xdp() {}

    /** mode is null when nothing is attached. */
    public record Attached(XdpMode mode, int progId) {}

    public static Attached query(int ifindex) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = arena.allocate(bpf_xdp_query_opts.layout());
            bpf_xdp_query_opts.sz(opts, opts.byteSize());
            NativeException.check("bpf_xdp_query(ifindex " + ifindex + ")", Libbpf.bpf_xdp_query(ifindex, 0, opts));
            XdpMode mode = XdpMode.ofAttached(bpf_xdp_query_opts.attach_mode(opts));
            int id = mode == XdpMode.NATIVE ? bpf_xdp_query_opts.drv_prog_id(opts)
                    : mode == XdpMode.GENERIC ? bpf_xdp_query_opts.skb_prog_id(opts) : 0;
            return new Attached(mode, id);
        }
    }
}
