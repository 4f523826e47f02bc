package io.xdplb.libbpf;

/**
 * A native call failed: names the call (with its main argument) and the errno,
 * as strerror(3) says it, e.g. "bpf_obj_pin(/sys/fs/bpf/xdplb/x) failed: File exists (errno 17)".
 */
public class NativeException extends RuntimeException {
    private final String call;
    private final int errno;

    public NativeException(String call, int errno) {
        this(call, errno, null);
    }

    public NativeException(String call, int errno, String detail) {
        super(call + " failed: " + Libc.strerror(errno) + " (errno " + errno + ")"
                + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.call = call;
        this.errno = errno;
    }

    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    /** Helper for libbpf's convention: a negative return value is -errno. */
    static int check(String call, int rc) {
        if (rc < 0) throw new NativeException(call, -rc);
        return rc;
    }
}
