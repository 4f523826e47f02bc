package io.xdplb;

/**
 * An error the operator can fix: its message is printed as one line on stderr,
 * "xdplb: <message>", and the command exits non-zero. The message says what was
 * wrong (naming the offending value) and what to do or what is allowed.
 */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
