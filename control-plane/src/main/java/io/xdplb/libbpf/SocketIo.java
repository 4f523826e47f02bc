package io.xdplb.libbpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.InetAddress;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Non-blocking sockets and an epoll set for one thread (the agent's health-check loop): the
 * plain system calls, each one call, results as values (a count or descriptor, or -errno),
 * never exceptions, as a thousand probes a second go through here. The JDK's channels cannot
 * set SO_MARK and spend about twice the system calls per connection (blocking-mode toggles,
 * getsockname, poll).
 *
 * Not thread-safe: its scratch memory belongs to the thread that made it, except
 * {@link #wake}, which any thread may call.
 */
public final class SocketIo implements AutoCloseable {
    public static final int AF_INET = 2, AF_INET6 = 10;
    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2;
    public static final int EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10, EPOLLET = 1 << 31;
    public static final int EAGAIN = 11, EINPROGRESS = 115, ECONNREFUSED = 111;
    private static final int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1, SO_ERROR = 4, SO_LINGER = 13, SO_MARK = 36;
    private static final int MSG_NOSIGNAL = 0x4000, EPOLL_CTL_ADD = 1, EFD_NONBLOCK = 0x800;
    /** struct epoll_event is packed on x86-64 (12 bytes), naturally aligned elsewhere (16). */
    private static final long EVENT_SIZE = isX86() ? 12 : 16, EVENT_DATA = isX86() ? 4 : 8;
    private static final int MAX_EVENTS = 256;

    private static final MethodHandle SOCKET = Libc.Socket.H;
    private static final MethodHandle SETSOCKOPT = Libc.capturing("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = Libc.Getsockopt.H;
    private static final MethodHandle CONNECT = Libc.capturing("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SEND = Libc.capturing("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV = Libc.capturing("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle WRITE = Libc.capturing("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle READ = Libc.capturing("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = Libc.capturing("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CREATE1 = Libc.capturing("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = Libc.capturing("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = Libc.capturing("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = Libc.capturing("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment state = Libc.callState(arena);
    private final MemorySegment sockaddr = arena.allocate(28, 4);
    private final MemorySegment option = arena.allocate(8, 4);
    private final MemorySegment optionLength = arena.allocate(JAVA_INT);
    private final MemorySegment events = arena.allocate(EVENT_SIZE * MAX_EVENTS, 8);
    private final MemorySegment buffer;
    private final int epoll, wakeFd;
    private boolean closed; // guarded by this: wake() must not write to a closed (maybe reused) fd

    /** An epoll set and a scratch buffer of bufferSize bytes for {@link #send}/{@link #recv}. */
    public SocketIo(int bufferSize) {
        buffer = arena.allocate(Math.max(bufferSize, 8));
        try {
            epoll = (int) EPOLL_CREATE1.invokeExact(state, Libc.O_CLOEXEC);
            if (epoll < 0) throw new NativeException("epoll_create1", Libc.errno(state));
            wakeFd = (int) EVENTFD.invokeExact(state, 0, EFD_NONBLOCK | Libc.O_CLOEXEC);
            if (wakeFd < 0) throw new NativeException("eventfd", Libc.errno(state));
        } catch (NativeException e) {
            arena.close();
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        watch(wakeFd, EPOLLIN | EPOLLET, 0);
    }

    /** A new non-blocking socket of family and type (SOCK_STREAM, SOCK_DGRAM): its fd, or -errno. */
    public int socket(int family, int type) {
        try {
            int fd = (int) SOCKET.invokeExact(state, family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            return fd < 0 ? -Libc.errno(state) : fd;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** SO_MARK: the mark routing and tc programs see on every packet of the socket. 0, or -errno. */
    public int setMark(int fd, int mark) {
        option.set(JAVA_INT, 0, mark);
        return setsockopt(fd, SO_MARK, 4);
    }

    /**
     * SO_LINGER {on, 0 s}: close() resets the connection instead of its FIN handshake, so no
     * TIME_WAIT socket is left behind per check (as HAProxy's checks do). 0, or -errno.
     */
    public int resetOnClose(int fd) {
        option.set(JAVA_INT, 0, 1);
        option.set(JAVA_INT, 4, 0);
        return setsockopt(fd, SO_LINGER, 8);
    }

    private int setsockopt(int fd, int name, int length) {
        try {
            int rc = (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, name, option, length);
            return rc < 0 ? -Libc.errno(state) : 0;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The socket's pending error (SO_ERROR, cleared by reading it): 0 or an errno. */
    public int pendingError(int fd) {
        optionLength.set(JAVA_INT, 0, 4);
        try {
            int rc = (int) GETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_ERROR, option, optionLength);
            return rc < 0 ? Libc.errno(state) : option.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** connect(2) to address:port: 0 (connected), -EINPROGRESS (under way) or another -errno. */
    public int connect(int fd, InetAddress address, int port) {
        byte[] a = address.getAddress();
        sockaddr.fill((byte) 0);
        sockaddr.set(JAVA_SHORT, 0, (short) (address instanceof Inet4Address ? AF_INET : AF_INET6));
        sockaddr.set(JAVA_BYTE, 2, (byte) (port >> 8)); // sin_port / sin6_port, network order
        sockaddr.set(JAVA_BYTE, 3, (byte) port);
        MemorySegment.copy(a, 0, sockaddr, JAVA_BYTE, address instanceof Inet4Address ? 4 : 8, a.length);
        int length = address instanceof Inet4Address ? 16 : 28;
        try {
            int rc = (int) CONNECT.invokeExact(state, fd, sockaddr, length);
            return rc < 0 ? -Libc.errno(state) : 0;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * send(2) of data[offset..] (may be empty: an empty datagram), at most the scratch buffer's
     * size of it: bytes sent, or -errno.
     */
    public long send(int fd, byte[] data, int offset) {
        int length = (int) Math.min(data.length - offset, buffer.byteSize());
        MemorySegment.copy(data, offset, buffer, JAVA_BYTE, 0, length);
        try {
            long n = (long) SEND.invokeExact(state, fd, buffer, (long) length, MSG_NOSIGNAL);
            return n < 0 ? -Libc.errno(state) : n;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** recv(2) of up to max bytes into into[offset..]: bytes read (0: closed), or -errno. */
    public long recv(int fd, byte[] into, int offset, int max) {
        long room = Math.min(max, buffer.byteSize());
        try {
            long n = (long) RECV.invokeExact(state, fd, buffer, room, 0);
            if (n < 0) return -Libc.errno(state);
            MemorySegment.copy(buffer, JAVA_BYTE, 0, into, offset, (int) n);
            return n;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** close(2); closing also takes the descriptor out of the epoll set. */
    public void close(int fd) {
        try {
            int rc = (int) CLOSE.invokeExact(state, fd);
            if (rc < 0) { /* the descriptor is gone either way */ }
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Adds fd to the epoll set for events, reported with token (never 0: that is {@link #wake}'s). */
    public int watch(int fd, int eventMask, long token) {
        MemorySegment e = events.asSlice(0, EVENT_SIZE);
        e.set(JAVA_INT_UNALIGNED, 0, eventMask);
        e.set(JAVA_LONG_UNALIGNED, EVENT_DATA, token);
        try {
            int rc = (int) EPOLL_CTL.invokeExact(state, epoll, EPOLL_CTL_ADD, fd, e);
            return rc < 0 ? -Libc.errno(state) : 0;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Waits up to timeoutMs (-1: no limit, 0: not at all) for events; their number. Read each
     * with {@link #token} and {@link #events}; token 0 is a {@link #wake}, already consumed.
     */
    public int await(int timeoutMs) {
        try {
            int n = (int) EPOLL_WAIT.invokeExact(state, epoll, events, MAX_EVENTS, timeoutMs);
            if (n < 0) {
                int errno = Libc.errno(state);
                if (errno == 4) return 0; // EINTR
                throw new NativeException("epoll_wait", errno);
            }
            for (int i = 0; i < n; i++) {
                if (token(i) == 0) {
                    long r = (long) READ.invokeExact(state, wakeFd, buffer, 8L);
                    if (r < 0) { /* already drained */ }
                }
            }
            return n;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public long token(int i) {
        return events.get(JAVA_LONG_UNALIGNED, i * EVENT_SIZE + EVENT_DATA);
    }

    public int events(int i) {
        return events.get(JAVA_INT_UNALIGNED, i * EVENT_SIZE);
    }

    /** Makes a waiting {@link #await} return; any thread. */
    public synchronized void wake() {
        if (closed) return;
        try (Arena a = Arena.ofConfined()) {
            long r = (long) WRITE.invokeExact(Libc.callState(a), wakeFd, a.allocateFrom(JAVA_LONG, 1L), 8L);
            if (r < 0) { /* the counter is already non-zero: a wake-up is pending */ }
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Closes the epoll set and the wake-up descriptor (not the sockets it watched). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            close(wakeFd);
        }
        close(epoll);
        arena.close();
    }

    private static boolean isX86() {
        String arch = System.getProperty("os.arch");
        return arch.equals("amd64") || arch.equals("x86_64");
    }
}
