package io.xdplb.libbpf;

import io.xdplb.UserError;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LibbpfRuntimeTest {
    @Test
    void tooOldLibbpfIsRefusedWithWhatToInstall() {
        UserError e = assertThrows(UserError.class, () -> LibbpfRuntime.checkVersion(0, 8));
        assertEquals("libbpf 0.8 is too old: xdplb needs libbpf 1.1 or newer (Debian 12: apt-get install libbpf1)",
                e.getMessage());
        assertThrows(UserError.class, () -> LibbpfRuntime.checkVersion(1, 0));
        assertDoesNotThrow(() -> LibbpfRuntime.checkVersion(1, 1));
        assertDoesNotThrow(() -> LibbpfRuntime.checkVersion(2, 0));
    }

    @Test
    void theSystemsLibbpfLoadsBySoname() {
        String v = LibbpfRuntime.version();
        assertEquals("1.", v.substring(0, 2), v);
    }
}
