package io.xdplb.model;

import io.xdplb.files.PrivateFiles;
import io.xdplb.UserError;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
 *
 * <p>Only the owner (root, for the CLI) can touch the state: the directories are 0700, the
 * file and the lock 0600, a directory owned by someone else or a symlink where a directory or
 * the lock should be is refused, and the lock is opened without following links. Waiting for
 * the lock gives up after {@link #lockTimeoutSeconds} with a message saying so.
 */
public final class ConfigStore {
    /** FileChannel.lock is per process: threads of one JVM must also queue on a JVM-wide lock. */
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    /** XDPLB_LOCK_TIMEOUT (or the property xdplb.lockTimeout): seconds to wait for config.lock. Default 30. */
    public static final String LOCK_TIMEOUT_ENV = "XDPLB_LOCK_TIMEOUT";
    private static final FileAttribute<?> PRIVATE_DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<?> PRIVATE_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path file;
    private final Path lockFile;
    private final Path stateRoot;
    /** The last text parsed and what it parsed to (Config is immutable): the agent re-reads an unchanged file often. */
    private volatile Parsed last;

    private record Parsed(String text, Config config) {}

    public ConfigStore(Path file) {
        this(file, null);
    }

    /** stateRoot, when given, is checked like the file's own directory (owner, no symlink, 0700). */
    private ConfigStore(Path file, Path stateRoot) {
        this.stateRoot = stateRoot == null ? null : stateRoot.toAbsolutePath().normalize();
        this.file = file.toAbsolutePath().normalize();
        String name = this.file.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        this.lockFile = this.file.resolveSibling(base + ".lock");
    }

    /** The CLI's location for an instance: {@code <stateDir>/<instance>/config.json}. */
    public static ConfigStore forInstance(Path stateDir, String instance) {
        return new ConfigStore(stateDir.resolve(instance).resolve("config.json"), stateDir);
    }

    public Path file() {
        return file;
    }

    /** The current configuration; {@link Config#EMPTY} when there is no file yet. Takes no lock. */
    public Config load() {
        return parse(read());
    }

    private Config parse(String text) {
        if (text == null) return Config.EMPTY;
        Parsed p = last;
        if (p != null && p.text().equals(text)) return p.config();
        Config c = ConfigJson.parse(text, file.toString());
        last = new Parsed(text, c);
        return c;
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
        return locked(() -> {
            // a writer killed between its temp file and the rename left it; we hold the lock
            PrivateFiles.removeTempFiles(file.getParent());
            String before = read();
            Config current = parse(before);
            Config next = change.apply(current);
            if (next == null) throw new IllegalStateException("update function returned null");
            if (next == current && before != null) return next; // unchanged (a map or health update): nothing to write
            String after = ConfigJson.write(next);
            if (!after.equals(before)) PrivateFiles.writeAtomically(file, after.getBytes(StandardCharsets.UTF_8));
            return next;
        });
    }

    /**
     * Runs work holding the instance's lock, without writing the file: for changes of the
     * instance that the file does not record (e.g. `pass attach`), so that their check and their
     * change happen as one step.
     */
    public <T> T locked(Supplier<T> work) {
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, p -> new ReentrantLock());
        if (jvmLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("nested update of " + file + ": do everything in one function");
        }
        long timeout = lockTimeoutSeconds();
        try {
            if (!jvmLock.tryLock(timeout, TimeUnit.SECONDS)) throw lockTimeout(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while waiting for " + lockFile);
        }
        try {
            mkdirs();
            // Closing the channel releases the lock, also when the function throws.
            try (FileChannel lockChannel = openLock()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
                while (lockChannel.tryLock() == null) {
                    if (System.nanoTime() > deadline) throw lockTimeout(timeout);
                    Thread.sleep(20);
                }
                return work.get();
            } catch (IOException e) {
                throw failure("cannot lock", lockFile, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UserError("interrupted while waiting for " + lockFile);
            }
        } finally {
            jvmLock.unlock();
        }
    }

    /** Seconds to wait for the lock: XDPLB_LOCK_TIMEOUT or the property xdplb.lockTimeout, default 30. */
    static long lockTimeoutSeconds() {
        String v = System.getProperty("xdplb.lockTimeout", System.getenv(LOCK_TIMEOUT_ENV));
        if (v == null || v.isBlank()) return 30;
        try {
            long s = Long.parseLong(v.strip());
            if (s >= 0) return s;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new UserError("bad " + LOCK_TIMEOUT_ENV + " \"" + v + "\": a number of seconds, 0 or more");
    }

    private UserError lockTimeout(long seconds) {
        return new UserError("another xdplb command has held " + lockFile + " for " + seconds + " s (see `fuser -v "
                + lockFile + "`); try again when it is done (" + LOCK_TIMEOUT_ENV + " sets the wait)");
    }

    /** Opens the lock file, never through a symlink; created 0600, and one we own made 0600 if it is not. */
    private FileChannel openLock() throws IOException {
        if (Files.isSymbolicLink(lockFile)) {
            throw new UserError(lockFile + " is a symbolic link; xdplb never follows one in its state: remove it");
        }
        // NOFOLLOW_LINKS also closes the race with a link planted after that check: the open fails
        FileChannel ch = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS), PRIVATE_FILE);
        try {
            int owner = (Integer) Files.getAttribute(lockFile, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != PrivateFiles.myUid()) {
                throw new UserError(lockFile + " is owned by uid " + owner + ", not by uid " + PrivateFiles.myUid()
                        + " that xdplb runs as; someone else could hold it: remove it and retry");
            }
            Files.setPosixFilePermissions(lockFile, PosixFilePermissions.fromString("rw-------"));
            return ch;
        } catch (RuntimeException | IOException e) {
            ch.close();
            throw e;
        }
    }

    /** Creates the state root and the file's directory 0700 and checks that they are ours and real directories. */
    private void mkdirs() {
        Path dir = file.getParent();
        Path base = stateRoot != null && dir.startsWith(stateRoot) ? stateRoot : dir;
        try {
            if (base.getParent() != null) Files.createDirectories(base.getParent());
        } catch (IOException e) {
            throw failure("cannot create directory", base.getParent(), e);
        }
        PrivateFiles.ensureDirs(base, dir);
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
