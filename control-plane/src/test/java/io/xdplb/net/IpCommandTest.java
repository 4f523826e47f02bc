package io.xdplb.net;

import io.xdplb.UserError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How xdplb runs iproute2's ip: never hangs on a hung ip, never lets a full pipe block it, never takes ip from $PATH. */
class IpCommandTest {
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("xdplb-ipcmd-");
    }

    @AfterEach
    void tearDown() throws Exception {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(dir);
    }

    private String script(String name, String body) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
        return f.toString();
    }

    @Test
    void aHungIpIsKilledAfterTheTimeout() throws Exception {
        // holds both pipes open and never exits: the old reader waited for stdout's end forever
        String hung = script("hung", "exec sleep 600");
        UserError e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(UserError.class, () -> IpCommand.run(hung, 1, null, "addr", "show")));
        assertEquals("`ip addr show` did not finish within 1 s; it was killed", e.getMessage());
    }

    @Test
    void aFullStderrPipeDoesNotBlockIt() throws Exception {
        // 1 MiB on stderr before anything on stdout: a reader that drains stdout first deadlocks
        String noisy = script("noisy", "head -c 1048576 /dev/zero | tr '\\0' x >&2; echo out; exit 0");
        String out = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> IpCommand.run(noisy, 10, null, "link"));
        assertEquals("out\n", out);
    }

    @Test
    void itsOwnMessageIsPassedOnWhenItFails() throws Exception {
        String failing = script("failing", "echo 'RTNETLINK answers: File exists' >&2; exit 2");
        UserError e = assertThrows(UserError.class, () -> IpCommand.run(failing, 10, "lab", "addr", "add", "192.0.2.1/32", "dev", "lo"));
        assertEquals("`ip -n lab addr add 192.0.2.1/32 dev lo` failed: RTNETLINK answers: File exists", e.getMessage());
    }

    @Test
    void ipComesFromAFixedRootOwnedPathNotFromPath() {
        Path ip = IpCommand.binary();
        assertTrue(IpCommand.CANDIDATES.stream().anyMatch(c -> {
            try {
                return c.toRealPath().equals(ip);
            } catch (java.io.IOException e) {
                return false;
            }
        }), ip.toString());
    }
}
