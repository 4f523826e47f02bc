package io.xdplb.cli;

import io.xdplb.testing.Cli;
import io.xdplb.testing.RootOnly;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, finding 9: the director's state is root's alone. Directories 0700, configuration and
 * lock 0600, a symlink or a directory of another user refused, and a held lock gives a clear
 * message after a bounded wait instead of hanging.
 */
@RootOnly
class StateSecurityTest {
    private Lab lab;

    @BeforeEach
    void setUp() {
        lab = new Lab("t-sec-" + ProcessHandle.current().pid());
    }

    @AfterEach
    void tearDown() {
        System.clearProperty("xdplb.lockTimeout");
        lab.close();
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void stateAndPinsArePrivate() throws Exception {
        lab.attach().ok();
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        assertEquals("rw-------", mode(lab.configFile()));
        assertEquals("rw-------", mode(lab.stateDir().resolve("config.lock")));
        assertEquals("rwx------", mode(lab.stateDir()));
        assertEquals("rwx------", mode(lab.stateDir().getParent()));
        assertEquals("rwx------", mode(Path.of("/sys/fs/bpf/xdplb")));
        assertEquals("rwx------", mode(lab.pins()));
        assertEquals("rwx------", mode(lab.pins().resolve("maps")));
        assertEquals("rwx------", mode(lab.pins().resolve("links")));
    }

    @Test
    void aSymlinkedLockIsRefusedAndNotFollowed() throws Exception {
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        Path lock = lab.stateDir().resolve("config.lock");
        Path victim = lab.stateDir().getParent().resolve("victim-" + lab.instance);
        Files.delete(lock);
        Files.createSymbolicLink(lock, victim);
        try {
            String before = lab.configBytes();
            Cli.Result r = lab.xdplb("vip", "add", "192.0.2.11:80/tcp");
            assertEquals(1, r.exit());
            assertEquals("xdplb: " + lock + " is a symbolic link; xdplb never follows one in its state: remove it\n", r.err());
            assertFalse(Files.exists(victim), "nothing created through the link");
            assertEquals(before, lab.configBytes());
        } finally {
            Files.deleteIfExists(lock);
        }
    }

    @Test
    void aDirectoryOfAnotherUserIsRefused() throws Exception {
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        Files.setAttribute(lab.stateDir(), "unix:uid", 65534);
        try {
            Cli.Result r = lab.xdplb("vip", "add", "192.0.2.11:80/tcp");
            assertEquals(1, r.exit());
            assertTrue(r.err().startsWith("xdplb: " + lab.stateDir() + " is owned by uid 65534, not by uid 0"), r.err());
        } finally {
            Files.setAttribute(lab.stateDir(), "unix:uid", 0);
        }
    }

    @Test
    void aHeldLockTimesOutWithAClearMessage() throws Exception {
        lab.ok("vip", "add", "192.0.2.10:80/tcp");
        Path lock = lab.stateDir().resolve("config.lock");
        // another process holds the (fcntl) lock, as a stuck command would
        Process holder = new ProcessBuilder("/usr/bin/python3", "-c", "import fcntl,sys,time\nf=open(sys.argv[1],'r+')\n"
                + "fcntl.lockf(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(30)\n", lock.toString()).start();
        try {
            assertEquals("locked", new BufferedReader(new InputStreamReader(holder.getInputStream())).readLine());
            System.setProperty("xdplb.lockTimeout", "1");
            String before = lab.configBytes();
            Cli.Result r = lab.xdplb("vip", "add", "192.0.2.11:80/tcp");
            assertEquals(1, r.exit());
            assertEquals("xdplb: another xdplb command has held " + lock + " for 1 s (see `fuser -v " + lock
                    + "`); try again when it is done (XDPLB_LOCK_TIMEOUT sets the wait)\n", r.err());
            assertEquals(before, lab.configBytes());
        } finally {
            holder.destroyForcibly().waitFor();
        }
        assertEquals(0, lab.xdplb("vip", "add", "192.0.2.11:80/tcp").exit(), "free again once the holder is gone");
    }
}
