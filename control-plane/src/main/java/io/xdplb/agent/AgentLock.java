package io.xdplb.agent;

import io.xdplb.UserError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One agent per instance: an exclusive lock on /run/xdplb/INSTANCE/agent.lock, which holds
 * the pid of its owner. The kernel drops the lock when the process dies, kill -9 included, so a
 * new agent can always take over from a dead one.
 */
final class AgentLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private AgentLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static AgentLock acquire(Path runDir, String instance) {
        Path file = runDir.resolve("agent.lock");
        try {
            Files.createDirectories(runDir);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                String pid = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).strip();
                ch.close();
                throw new UserError("another xdplb agent" + (pid.isEmpty() ? "" : " (pid " + pid + ")")
                        + " already runs instance " + instance + "; stop it first (systemctl stop xdplb-agent@"
                        + instance + "), or give another --instance");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            return new AgentLock(ch, l);
        } catch (IOException e) {
            throw new UserError("cannot lock " + file + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
    }
}
