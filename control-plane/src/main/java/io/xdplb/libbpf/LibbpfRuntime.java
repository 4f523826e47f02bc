package io.xdplb.libbpf;

import io.xdplb.UserError;
import io.xdplb.libbpf.gen.Libbpf;
import io.xdplb.libbpf.gen.libbpf_print_fn_t;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Process-wide libbpf set-up: checks that libbpf.so.1 is there and new enough, and
 * routes libbpf's log lines into a per-thread buffer so that a failed load can show
 * the verifier's words instead of spraying them on stderr. Until a first capture, libbpf
 * prints nothing at all: the hook is an upcall, which costs a one-shot command start-up
 * time, and outside a capture its lines would be dropped anyway.
 */
public final class LibbpfRuntime {
    private LibbpfRuntime() {}

    public static final int MIN_MAJOR = 1;
    public static final int MIN_MINOR = 1;

    private static final ThreadLocal<StringBuilder> LOG = ThreadLocal.withInitial(StringBuilder::new);
    private static final boolean DEBUG = System.getenv("XDPLB_DEBUG") != null;
    private static volatile boolean initialised;
    private static boolean hooked;

    /** Loads libbpf (once) and checks its version; libbpf is silent until a capture (with XDPLB_DEBUG: hooked at once). */
    public static synchronized void init() {
        if (initialised) return;
        int major, minor;
        try {
            major = Libbpf.libbpf_major_version();
            minor = Libbpf.libbpf_minor_version();
        } catch (IllegalArgumentException | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new UserError("libbpf.so.1 could not be loaded (" + rootMessage(e)
                    + "); install libbpf 1.1 or newer (Debian: apt-get install libbpf1)");
        }
        checkVersion(major, minor);
        if (DEBUG) {
            hook();
        } else {
            Libbpf.libbpf_set_print(MemorySegment.NULL); // silent: libbpf's default prints on stderr
        }
        initialised = true;
    }

    /** Routes libbpf's log lines to {@link #print} (once). */
    private static synchronized void hook() {
        if (hooked) return;
        Libbpf.libbpf_set_print(libbpf_print_fn_t.allocate(LibbpfRuntime::print, Arena.global()));
        hooked = true;
    }

    /** Refuses a libbpf older than the one whose API the bindings were generated from. */
    static void checkVersion(int major, int minor) {
        if (major < MIN_MAJOR || (major == MIN_MAJOR && minor < MIN_MINOR)) {
            throw new UserError("libbpf " + major + "." + minor + " is too old: xdplb needs libbpf "
                    + MIN_MAJOR + "." + MIN_MINOR + " or newer (Debian 12: apt-get install libbpf1)");
        }
    }

    public static String version() {
        init();
        return Libbpf.libbpf_major_version() + "." + Libbpf.libbpf_minor_version();
    }

    public static int possibleCpus() {
        init();
        return NativeException.check("libbpf_num_possible_cpus", Libbpf.libbpf_num_possible_cpus());
    }

    /** Starts collecting libbpf's log lines on this thread. */
    static void startCapture() {
        init();
        hook();
        LOG.get().setLength(0);
    }

    /** What libbpf logged on this thread since {@link #startCapture()}. */
    static String capturedLog() {
        return LOG.get().toString();
    }

    private static int print(int level, MemorySegment format, MemorySegment args) {
        if (level == Libbpf.LIBBPF_DEBUG() && !DEBUG) return 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(8192);
            int n = (int) Libc.Vsnprintf.H.invokeExact(buf, buf.byteSize(), format, args);
            if (n < 0) return 0;
            String line = buf.getString(0);
            StringBuilder log = LOG.get();
            if (log.length() < 4 << 20) log.append(line);
            if (DEBUG) System.err.print("libbpf: " + line);
            return n;
        } catch (Throwable t) {
            return 0;
        }
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) e = e.getCause();
        return e.getMessage();
    }
}
