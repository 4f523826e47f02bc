package io.xdplb.files;

import io.xdplb.UserError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * State that only the owner (root) may read or change: directories 0700, files 0600, owned
 * by the user xdplb runs as, never reached or written through a symbolic link. Another user
 * who could plant a file or a link in a state directory could make root overwrite what the
 * link points at, or feed it a record it trusts.
 */
public final class PrivateFiles {
    private PrivateFiles() {}

    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
    /** Temp files start with this, so no reader ever takes one for a finished file. */
    public static final String TEMP_PREFIX = ".tmp-";

    /**
     * Makes base and every directory from base down to dir exist as a private directory: created
     * 0700 when missing; an existing one must be a real directory (not a link) owned by us, and
     * is narrowed to 0700 if it was wider (an older xdplb made them 0755). Anything else is refused.
     */
    public static void ensureDirs(Path base, Path dir) {
        if (!dir.startsWith(base)) throw new IllegalArgumentException(dir + " is not under " + base);
        Path p = base;
        ensureDir(p);
        for (Path part : base.relativize(dir)) {
            if (part.toString().isEmpty()) continue;
            p = p.resolve(part);
            ensureDir(p);
        }
    }

    private static void ensureDir(Path d) {
        try {
            Files.createDirectory(d, PosixFilePermissions.asFileAttribute(DIR_MODE));
            Files.setPosixFilePermissions(d, DIR_MODE); // the umask may have narrowed it differently
            return;
        } catch (FileAlreadyExistsException e) {
            // checked below
        } catch (NoSuchFileException e) {
            throw new UserError("cannot create " + d + ": its parent does not exist");
        } catch (IOException e) {
            throw new UserError("cannot create " + d + ": " + e.getMessage());
        }
        PosixFileAttributes a = attributes(d);
        if (a.isSymbolicLink() || !a.isDirectory()) {
            throw new UserError(d + " is not a directory but " + kind(a)
                    + "; xdplb keeps its state only in directories of its own: remove it and retry");
        }
        if (ownerUid(d) != myUid()) {
            throw new UserError(d + " is owned by uid " + ownerUid(d) + ", not by uid " + myUid()
                    + " that xdplb runs as; someone else could change its state: remove it and retry");
        }
        if (!java.util.Collections.disjoint(a.permissions(), OTHERS)) {
            try {
                Files.setPosixFilePermissions(d, DIR_MODE);
            } catch (IOException e) {
                throw new UserError("cannot make " + d + " private (0700): " + e.getMessage());
            }
        }
    }

    /**
     * Writes file (mode 0600) so that a reader sees the old or the new content, whole: a temp file
     * in the same directory, created exclusively and without following links, fsync'ed, renamed
     * over file (a rename replaces a link at file rather than writing through it), directory fsync'ed.
     */
    public static void writeAtomically(Path file, byte[] bytes) {
        Path dir = file.getParent();
        Path tmp = dir.resolve(TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-"
                + file.getFileName());
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(FILE_MODE))) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (IOException e) {
            throw new UserError("cannot write " + file + ": " + e.getMessage());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // removed by removeTempFiles next time
                }
            }
        }
    }

    /** Removes the temp files a killed writer left in dir. Only call it while holding the lock the writers take. */
    public static void removeTempFiles(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            for (Path p : ds) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UserError("cannot clean up " + dir + ": " + e.getMessage());
        }
    }

    /**
     * The bytes of a regular file the user named (a link to one is followed; the user chose it), at most
     * maxBytes. Anything else is refused before it is opened: opening a FIFO would wait for a writer
     * forever, a device could be endless.
     */
    public static byte[] readRegular(Path file, long maxBytes, String what) {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(file, PosixFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new UserError(what + " " + file + " does not exist");
        } catch (IOException e) {
            throw new UserError("cannot read " + what + " " + file + ": " + e.getMessage());
        }
        if (!a.isRegularFile()) {
            throw new UserError(what + " " + file + " is " + kind(a) + ", not a regular file");
        }
        if (a.size() > maxBytes) {
            throw new UserError(what + " " + file + " is " + a.size() + " bytes; at most "
                    + maxBytes + " are read");
        }
        try {
            byte[] b = Files.readAllBytes(file);
            if (b.length > maxBytes) {
                throw new UserError(what + " " + file + " grew past " + maxBytes + " bytes");
            }
            return b;
        } catch (IOException e) {
            throw new UserError("cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }

    private static PosixFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UserError("cannot inspect " + p + ": " + e.getMessage());
        }
    }

    private static String kind(PosixFileAttributes a) {
        if (a.isSymbolicLink()) return "a symbolic link";
        if (a.isDirectory()) return "a directory";
        if (a.isRegularFile()) return "a regular file";
        return "a FIFO, socket or device";
    }

    private static int ownerUid(Path p) {
        try {
            return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UserError("cannot inspect " + p + ": " + e.getMessage());
        }
    }

    /** The effective uid: /proc/self belongs to it. */
    public static int myUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new UserError("cannot read /proc/self: " + e.getMessage());
        }
    }
}
