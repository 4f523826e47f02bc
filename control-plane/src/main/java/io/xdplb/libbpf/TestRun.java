package io.xdplb.libbpf;

import io.xdplb.libbpf.gen.Libbpf;
import io.xdplb.libbpf.gen.bpf_test_run_opts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** bpf_prog_test_run_opts for XDP programs: a frame in, the verdict and the frame out. */
public final class TestRun {
    private TestRun() {}

    /** Room for what a program may prepend (encapsulation, ICMP replies). */
    private static final int HEADROOM = 512;

    /** retval is the XDP verdict; durationNs the kernel's average per repeat. */
    public record Result(int retval, byte[] data, long durationNs) {}

    public static Result run(BpfProgram prog, byte[] frame) {
        return run(prog, frame, 1);
    }

    public static Result run(BpfProgram prog, byte[] frame, int repeat) {
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
            NativeException.check("bpf_prog_test_run_opts(" + prog.name() + ")",
                    Libbpf.bpf_prog_test_run_opts(prog.fd(), opts));
            int outLen = bpf_test_run_opts.data_size_out(opts);
            byte[] data = out.asSlice(0, outLen).toArray(ValueLayout.JAVA_BYTE);
            return new Result(bpf_test_run_opts.retval(opts), data, bpf_test_run_opts.duration(opts));
        }
    }
}
