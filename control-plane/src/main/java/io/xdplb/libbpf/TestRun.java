package io.xdplb.libbpf;

import io.xdplb.libbpf.gen.Libbpf;
import io.xdplb.libbpf.gen.bpf_test_run_opts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * bpf_prog_test_run_opts for XDP and tc programs: a frame in, the verdict (XDP action, tc
 * action) and the frame out.
 */
public final class TestRun {
    private TestRun() {}

    /** Room for what a program may prepend (encapsulation, ICMP replies). */
    private static final int HEADROOM = 512;

    /** retval is the XDP verdict or tc action; durationNs the kernel's average per repeat. */
    public record Result(int retval, byte[] data, long durationNs) {}

    public static Result run(BpfProgram prog, byte[] frame) {
        return run(prog, frame, 1);
    }

    public static Result run(BpfProgram prog, byte[] frame, int repeat) {
        return run(prog, frame, repeat, null);
    }

    /**
     * A tc program's run on an skb carrying mark (__sk_buff.mark, as SO_MARK gives a socket's
     * packets). The context passed is __sk_buff up to and including mark: the kernel requires
     * the fields before it (len, pkt_type) to be zero and zero-fills the rest.
     */
    public static Result runWithMark(BpfProgram prog, byte[] frame, int mark) {
        return run(prog, frame, 1, mark);
    }

    /** offsetof(struct __sk_buff, mark): after __u32 len and __u32 pkt_type (UAPI, fixed). */
    private static final int SKB_MARK_OFFSET = 8;

    private static Result run(BpfProgram prog, byte[] frame, int repeat, Integer mark) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(Math.max(frame.length, 1));
            MemorySegment.copy(frame, 0, in, ValueLayout.JAVA_BYTE, 0, frame.length);
            MemorySegment out = arena.allocate(frame.length + HEADROOM + 4096);
            MemorySegment opts = arena.allocate(bpf_test_run_opts.layout());
            bpf_test_run_opts.sz(opts, opts.byteSize());
            bpf_test_run_opts.data_in(opts, in);
            bpf_test_run_opts.data_size_in(opts, frame.length);
            bpf_test_run_opts.data_out(opts, out);
            bpf_test_run_opts.data_size_out(opts, (int) out.byteSize());
            bpf_test_run_opts.repeat(opts, repeat);
            if (mark != null) {
                MemorySegment skb = arena.allocate(SKB_MARK_OFFSET + 4); // zeroed
                skb.set(ValueLayout.JAVA_INT, SKB_MARK_OFFSET, mark);
                bpf_test_run_opts.ctx_in(opts, skb);
                bpf_test_run_opts.ctx_size_in(opts, (int) skb.byteSize());
            }
            NativeException.check("bpf_prog_test_run_opts(" + prog.name() + ")",
                    Libbpf.bpf_prog_test_run_opts(prog.fd(), opts));
            int outLen = bpf_test_run_opts.data_size_out(opts);
            byte[] data = out.asSlice(0, outLen).toArray(ValueLayout.JAVA_BYTE);
            return new Result(bpf_test_run_opts.retval(opts), data, bpf_test_run_opts.duration(opts));
        }
    }
}
