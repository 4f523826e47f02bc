package io.xdplb.agent;

import io.xdplb.UserError;
import io.xdplb.libbpf.Libc;

import java.lang.reflect.Method;
import java.nio.channels.NetworkChannel;

/**
 * SO_MARK on a Java socket channel. The JDK has no option for it, so the descriptor is read
 * through the JDK's own channel interface (sun.nio.ch.SelChImpl, exported to us by the
 * launcher's {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}) and set with setsockopt.
 * The channel stays an ordinary JDK channel, so a virtual thread that blocks on it parks
 * instead of holding a carrier thread.
 */
final class SocketMark {
    private SocketMark() {}

    private static final Method FD_VAL = fdVal();

    private static Method fdVal() {
        try {
            return Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    static void set(NetworkChannel channel, int mark) {
        int fd;
        try {
            if (FD_VAL == null) throw new IllegalAccessException("no sun.nio.ch.SelChImpl");
            fd = (int) FD_VAL.invoke(channel);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new UserError("cannot mark probe sockets: run the agent with the JVM option"
                    + " --add-exports java.base/sun.nio.ch=ALL-UNNAMED (./xdplb and the systemd unit do)");
        }
        Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_MARK, mark, "SO_MARK " + mark);
    }
}
