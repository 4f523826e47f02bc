package io.xdplb.libbpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc calls the control plane needs (setns, mount, statfs, ...), each
 * capturing errno through {@link Linker.Option#captureCallState} so that a
 * failure is reported with the right reason, not whatever errno the JVM left.
 */
public final class Libc {
    private Libc() {}

    static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    /** Where errno sits in the call state (read as a plain int: a VarHandle costs start-up time). */
    private static final long ERRNO_OFFSET = CALL_STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final long BPF_FS_MAGIC = 0xcafe4a11L;

    // Each handle is linked on first use, in a holder class of its own: linking a downcall costs
    // start-up time (FFM makes its stub and method handles at run time), and a one-shot command
    // needs few of these.
    private static final class Strerror {
        static final MethodHandle H = plain("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }
    private static final class Geteuid {
        static final MethodHandle H = plain("geteuid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class Open {
        static final MethodHandle H = capturing("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class Close { // no errno: close's result is ignored, and (int)int is a shape libbpf's calls share
        static final MethodHandle H = plain("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class Setns {
        static final MethodHandle H = capturing("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class IfNameToIndex {
        static final MethodHandle H = capturing("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    private static final class IfIndexToName {
        static final MethodHandle H = capturing("if_indextoname", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
    }
    private static final class Statfs {
        static final MethodHandle H = capturing("statfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class Mount {
        static final MethodHandle H =
                capturing("mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    }
    static final class Socket {
        static final MethodHandle H = capturing("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }
    static final class Getsockopt {
        static final MethodHandle H =
                capturing("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }
    /** vsnprintf(char *buf, size_t n, const char *fmt, va_list ap): formats libbpf's log lines. */
    static final class Vsnprintf {
        static final MethodHandle H = plain("vsnprintf", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    }

    private static MethodHandle plain(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), fd);
    }

    static MethodHandle capturing(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), fd,
                Linker.Option.captureCallState("errno"));
    }

    /** A handle for an arbitrary native function that also captures errno (first argument: the state segment). */
    static MethodHandle withErrno(MemorySegment function, FunctionDescriptor fd) {
        return LINKER.downcallHandle(function, fd, Linker.Option.captureCallState("errno"));
    }

    static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    static int errno(MemorySegment callState) {
        return callState.get(ValueLayout.JAVA_INT, ERRNO_OFFSET);
    }

    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) Strerror.H.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static boolean isRoot() {
        try {
            return (int) Geteuid.H.invokeExact() == 0;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** open(path, O_RDONLY|O_CLOEXEC); throws {@link NativeException} on failure. */
    public static int openReadOnly(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = callState(arena);
            int fd = (int) Open.H.invokeExact(st, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC);
            if (fd < 0) throw new NativeException("open(" + path + ")", errno(st));
            return fd;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static void close(int fd) {
        try {
            int rc = (int) Close.H.invokeExact(fd);
            if (rc < 0) { /* nothing useful to do: the fd is gone either way */ }
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** setns(fd, CLONE_NEWNET) for the calling thread. */
    public static void setnsNet(int fd, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = callState(arena);
            int rc = (int) Setns.H.invokeExact(st, fd, CLONE_NEWNET);
            if (rc < 0) throw new NativeException("setns(" + what + ")", errno(st));
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The interface's index in the calling thread's network namespace, or 0 when there is none. */
    public static int ifNameToIndex(String name) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) IfNameToIndex.H.invokeExact(callState(arena), arena.allocateFrom(name));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The name of the interface with this index in the calling thread's network namespace, or null when there is none. */
    public static String ifIndexToName(int ifindex) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(16); // IF_NAMESIZE
            MemorySegment r = (MemorySegment) IfIndexToName.H.invokeExact(callState(arena), ifindex, buf);
            return r.address() == 0 ? null : buf.getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * The calling thread's network namespace cookie (SO_NETNS_COOKIE, Linux 5.14): unlike the namespace's
     * inode, which a namespace created later may get again, a cookie is never reused while the system runs.
     * 0 when the kernel cannot tell.
     */
    public static long netnsCookie() {
        final int afUnix = 1, sockDgram = 2, solSocket = 1, soNetnsCookie = 71;
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) Socket.H.invokeExact(callState(arena), afUnix, sockDgram | O_CLOEXEC, 0);
            if (fd < 0) return 0;
            try {
                MemorySegment value = arena.allocate(JAVA_LONG);
                MemorySegment len = arena.allocate(JAVA_INT);
                len.set(JAVA_INT, 0, 8);
                int rc = (int) Getsockopt.H.invokeExact(callState(arena), fd, solSocket, soNetnsCookie, value, len);
                return rc < 0 ? 0 : value.get(JAVA_LONG, 0);
            } finally {
                close(fd);
            }
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The f_type of the file system holding path (statfs(2)), or -errno. */
    public static long fsType(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = callState(arena);
            MemorySegment buf = arena.allocate(256, 8); // struct statfs is 120 bytes on 64-bit Linux
            int rc = (int) Statfs.H.invokeExact(st, arena.allocateFrom(path), buf);
            if (rc < 0) return -errno(st);
            return buf.get(ValueLayout.JAVA_LONG, 0); // f_type is the first field
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** mount -t bpf bpf target. */
    public static void mountBpffs(String target) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = callState(arena);
            int rc = (int) Mount.H.invokeExact(st, arena.allocateFrom("bpf"), arena.allocateFrom(target),
                    arena.allocateFrom("bpf"), 0L, MemorySegment.NULL);
            if (rc < 0) throw new NativeException("mount(bpf, " + target + ")", errno(st));
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
