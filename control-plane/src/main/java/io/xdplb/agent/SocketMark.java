package io.xdplb.agent;

import io.xdplb.UserError;
import io.xdplb.libbpf.Libc;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.NetworkChannel;

/**
 * SO_MARK on a Java socket channel. The JDK has no option for it, so the descriptor is read
 * through the JDK's own channel interface (sun.nio.ch.SelChImpl, exported to us by the
 * launcher's {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}) and set with setsockopt.
 * The channel stays an ordinary JDK channel, usable with a Selector. A method handle, looked up
 * once: reflection's Method.invoke would work out its caller's class on every probe.
 */
final class SocketMark {
    private SocketMark() {}

    private static final MethodHandle FD_VAL = fdVal();

    private static MethodHandle fdVal() {
        try {
            Class<?> c = Class.forName("sun.nio.ch.SelChImpl");
            return MethodHandles.lookup().findVirtual(c, "getFDVal", MethodType.methodType(int.class))
                    .asType(MethodType.methodType(int.class, NetworkChannel.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    static void set(NetworkChannel channel, int mark) {
        Libc.setsockoptInt(fd(channel), Libc.SOL_SOCKET, Libc.SO_MARK, mark, "SO_MARK " + mark);
    }

    /** The channel's file descriptor. */
    static int fd(NetworkChannel channel) {
        int fd;
        try {
            if (FD_VAL == null) throw new IllegalAccessException("no sun.nio.ch.SelChImpl");
            fd = (int) FD_VAL.invokeExact(channel);
        } catch (Throwable e) {
            throw new UserError("cannot mark probe sockets: run the agent with the JVM option"
                    + " --add-exports java.base/sun.nio.ch=ALL-UNNAMED (./xdplb and the systemd unit do)");
        }
        return fd;
    }
}
