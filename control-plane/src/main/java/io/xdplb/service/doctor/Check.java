package io.xdplb.service.doctor;

/**
 * One finding of `xdplb doctor`: which check, where it looked, what it saw, and (unless ok)
 * the command that fixes it.
 *
 * @param check  stable name of the check (scripts match on it), e.g. "xdp-peer"
 * @param where  what was looked at, e.g. "d-dir (netns xl-router)"
 * @param status ok, warn or fail
 * @param saw    what the check saw, one line
 * @param fix    the command (or step) that fixes it; null when ok
 */
public record Check(String check, String where, Status status, String saw, String fix) {
    public enum Status {
        OK, WARN, FAIL;

        @com.fasterxml.jackson.annotation.JsonValue
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static Check ok(String check, String where, String saw) {
        return new Check(check, where, Status.OK, saw, null);
    }

    public static Check warn(String check, String where, String saw, String fix) {
        return new Check(check, where, Status.WARN, saw, fix);
    }

    public static Check fail(String check, String where, String saw, String fix) {
        return new Check(check, where, Status.FAIL, saw, fix);
    }
}
