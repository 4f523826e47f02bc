package io.xdplb.model;

import io.xdplb.UserError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * One instance's configuration file, e.g. /var/lib/xdplb/default/config.json.
 *
 * <p>Every change is a transaction, {@link #update}: an exclusive lock on the sibling file
 * {@code config.lock} is held from reading the current file to renaming the new one into
 * place, so two CLI processes (or threads) never lose each other's update. The new file is
 * written next to the old one, fsync'ed, renamed over it and the directory fsync'ed, so after
 * a crash the file is either the old or the new one, complete. Readers ({@link #load}) need no
 * lock for the same reason.
 */
public final class ConfigStore {
    /** FileChannel.lock is per process: threads of one JVM must also queue on a JVM-wide lock. */
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final Path lockFile;

    public ConfigStore(Path file) {
        this.file = file.toAbsolutePath().normalize();
        String name = this.file.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        this.lockFile = this.file.resolveSibling(base + ".lock");
    }

    /** The CLI's location for an instance: {@code <stateDir>/<instance>/config.json}. */
    public static ConfigStore forInstance(Path stateDir, String instance) {
        return new ConfigStore(stateDir.resolve(instance).resolve("config.json"));
    }

    public Path file() {
        return file;
    }

    /** The current configuration; {@link Config#EMPTY} when there is no file yet. Takes no lock. */
    public Config load() {
        String text = read();
        return text == null ? Config.EMPTY : ConfigJson.parse(text, file.toString());
    }

    /** The file's exact bytes as text, or null when there is none: what `xdplb export` prints. */
    public String read() {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw failure("cannot read", file, e);
        }
    }

    /**
     * Replaces the configuration by {@code change.apply(current)}, under the lock. The function
     * may do its own side effects (map writes) before returning: they happen inside the lock and
     * before the file is written, so a failure leaves the old file. If it throws, nothing is
     * written. Returns the configuration now in the file.
     */
    public Config update(UnaryOperator<Config> change) {
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, p -> new ReentrantLock());
        if (jvmLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("nested update of " + file + ": do everything in one function");
        }
        jvmLock.lock();
        try {
            mkdirs();
            // Closing the channel releases the lock, also when the function throws.
            try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                lockChannel.lock();
                removeStaleTempFiles();
                String before = read();
                Config current = before == null ? Config.EMPTY : ConfigJson.parse(before, file.toString());
                Config next = change.apply(current);
                if (next == null) throw new IllegalStateException("update function returned null");
                String after = ConfigJson.write(next);
                if (!after.equals(before)) writeAtomically(after);
                return next;
            } catch (IOException e) {
                throw failure("cannot lock", lockFile, e);
            }
        } finally {
            jvmLock.unlock();
        }
    }

    private void mkdirs() {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw failure("cannot create directory", file.getParent(), e);
        }
    }

    private String tempPrefix() {
        return "." + file.getFileName() + ".";
    }

    private void writeAtomically(String text) {
        Path dir = file.getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, tempPrefix(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            // The rename is only durable once the directory entry is on disk.
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (IOException e) {
            throw failure("cannot write", file, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort; the next update removes it
                }
            }
        }
    }

    /** A process killed between creating and renaming its temp file leaves it behind; we hold the lock, so it is stale. */
    private void removeStaleTempFiles() {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(file.getParent(), tempPrefix() + "*.tmp")) {
            for (Path p : ds) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a leftover temp file is untidy, not wrong
        }
    }

    private static UserError failure(String what, Path path, IOException e) {
        String reason;
        if (e instanceof AccessDeniedException) reason = "permission denied (are you root?)";
        else if (e instanceof NoSuchFileException) reason = "no such file or directory";
        else if (e instanceof FileSystemException fse && fse.getReason() != null) reason = fse.getReason();
        else reason = e.getMessage();
        return new UserError(what + " " + path + ": " + reason, e);
    }
}
