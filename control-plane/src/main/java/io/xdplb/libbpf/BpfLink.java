package io.xdplb.libbpf;

import io.xdplb.libbpf.gen.Libbpf;
import io.xdplb.libbpf.gen.bpf_link_create_opts;
import io.xdplb.libbpf.gen.bpf_link_info;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * A bpf_link: an attachment that lives as long as a descriptor or a pin holds it,
 * so an XDP program stays attached after the CLI exits and goes away cleanly on detach.
 */
public final class BpfLink implements AutoCloseable {
    private final int fd;

    private BpfLink(int fd) {
        this.fd = fd;
    }

    /**
     * Attaches prog to the interface with this index in the calling thread's network
     * namespace (so call it inside {@link Netns#run}).
     */
    public static BpfLink attachXdp(BpfProgram prog, int ifindex, XdpMode mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = arena.allocate(bpf_link_create_opts.layout());
            bpf_link_create_opts.sz(opts, opts.byteSize());
            bpf_link_create_opts.flags(opts, mode.flags());
            int fd = Libbpf.bpf_link_create(prog.fd(), ifindex, Libbpf.BPF_XDP(), opts);
            if (fd < 0) throw new NativeException("bpf_link_create(xdp " + mode.cliName() + ", ifindex " + ifindex + ")", -fd);
            return new BpfLink(fd);
        }
    }

    /** enum bpf_attach_type BPF_TCX_EGRESS (kernel 6.6); libbpf 1.1's headers predate it, its bpf_link_create passes it on. */
    private static final int BPF_TCX_EGRESS = 47;
    /** enum bpf_link_type BPF_LINK_TYPE_TCX. */
    private static final int BPF_LINK_TYPE_TCX = 11;

    /**
     * Attaches a tc (sched_cls) program to the egress of the interface with this index, as a
     * tcx link, in the calling thread's network namespace. It runs beside other tc programs.
     */
    public static BpfLink attachTcxEgress(BpfProgram prog, int ifindex) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = arena.allocate(bpf_link_create_opts.layout());
            bpf_link_create_opts.sz(opts, opts.byteSize());
            int fd = Libbpf.bpf_link_create(prog.fd(), ifindex, BPF_TCX_EGRESS, opts);
            if (fd < 0) throw new NativeException("bpf_link_create(tcx egress, ifindex " + ifindex + ")", -fd);
            return new BpfLink(fd);
        }
    }

    public static BpfLink pinned(Path path) {
        return new BpfLink(Pins.objGet(path, "link"));
    }

    public void pin(Path path) {
        Pins.objPin(fd, path);
    }

    /** Detaches the program now, whoever else holds the link (the link itself becomes defunct). */
    public void detach() {
        NativeException.check("bpf_link_detach", Libbpf.bpf_link_detach(fd));
    }

    public Info info() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(bpf_link_info.layout());
            MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, (int) info.byteSize());
            NativeException.check("bpf_obj_get_info_by_fd(link)", Libbpf.bpf_obj_get_info_by_fd(fd, info, len));
            int type = bpf_link_info.type(info);
            // tcx links (type 11, newer than libbpf 1.1's headers) keep their ifindex where xdp links do
            int ifindex = type == Libbpf.BPF_LINK_TYPE_XDP() || type == BPF_LINK_TYPE_TCX
                    ? bpf_link_info.xdp.ifindex(bpf_link_info.xdp(info)) : 0;
            return new Info(bpf_link_info.id(info), bpf_link_info.prog_id(info), ifindex);
        }
    }

    /** Link id, attached program id, and interface index (0 once the interface is gone). */
    public record Info(int id, int progId, int ifindex) {}

    @Override
    public void close() {
        Libc.close(fd);
    }
}
