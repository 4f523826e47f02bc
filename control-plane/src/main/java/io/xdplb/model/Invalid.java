package io.xdplb.model;

import io.xdplb.UserError;

/**
 * A bad value inside the configuration: which field (a path relative to the record that found
 * it, e.g. "reals[0].weight"), the value as written, and what is allowed. The config file reader
 * puts the path of the enclosing records in front, so the operator reads
 * {@code vips[1].reals[0].weight = -3: weight must be 0..65535}.
 */
public final class Invalid extends UserError {
    private final String field;
    private final String value;
    private final String reason;

    /** {@code value} is shown as written (quote strings yourself); null when there is no single value to show. */
    public Invalid(String field, String value, String reason) {
        super(format(field, value, reason));
        this.field = field;
        this.value = value;
        this.reason = reason;
    }

    private static String format(String field, String value, String reason) {
        return field + (value == null ? "" : " = " + value) + ": " + reason;
    }

    /** The same problem, one record further out: {@code prefix} is e.g. "vips[1]". */
    public Invalid under(String prefix) {
        String path = field.isEmpty() ? prefix : field.startsWith("[") ? prefix + field : prefix + "." + field;
        return new Invalid(path, value, reason);
    }

    public String field() {
        return field;
    }

    public String value() {
        return value;
    }

    public String reason() {
        return reason;
    }
}
