package io.xdplb.model;

import io.xdplb.Messages;

/** Checks for interface and namespace names, the way the kernel and iproute2 check them. */
final class Names {
    private Names() {}

    /**
     * Linux dev_valid_name(): 1..15 bytes, not "." or "..", no '/', ':' or whitespace; and no '@',
     * which separates interface and namespace in xdplb's link pin names.
     */
    static String ifaceProblem(String name) {
        if (name.isEmpty() || name.length() > 15) return "an interface name is 1..15 characters";
        if (name.equals(".") || name.equals("..")) return "not a valid interface name";
        for (char c : name.toCharArray()) {
            if (c == '/' || c == ':' || c == '@' || Character.isWhitespace(c) || c < 0x21 || c > 0x7e) {
                return "an interface name cannot contain '/', ':', '@', spaces or non-ASCII characters";
            }
        }
        return null;
    }

    /**
     * A namespace: a name under /run/netns (no '/', not "." or "..", printable, at most 64 bytes,
     * no '@' (xdplb's pin names), not starting with ':'), a path to a namespace file such as
     * /proc/PID/ns/net (no ':' or '@'), or container:NAME_OR_ID (a Docker container's).
     */
    static String netnsProblem(String name) {
        if (name.startsWith("container:")) {
            return name.matches("container:[A-Za-z0-9][A-Za-z0-9_.-]{0,127}") ? null
                    : "container:NAME takes a container name or id (letters, digits, '_', '.', '-')";
        }
        if (name.startsWith("/")) {
            return name.matches("(/[^/:@\\s]+){1,16}") && name.length() <= 256 ? null
                    : "a namespace path (e.g. /proc/PID/ns/net) cannot contain ':', '@' or spaces";
        }
        if (name.startsWith(":")) return "a namespace name cannot start with ':'";
        if (name.isEmpty() || name.length() > 64) return "a namespace name is 1..64 characters";
        if (name.equals(".") || name.equals("..")) return "not a valid namespace name";
        for (char c : name.toCharArray()) {
            if (c == '/' || c == '@' || Character.isWhitespace(c) || c < 0x21 || c > 0x7e) {
                return "a namespace name cannot contain '/', '@', spaces or non-ASCII characters";
            }
        }
        return null;
    }

    static void checkIface(String field, String name) {
        if (name == null) throw new Invalid(field, null, "is required");
        String p = ifaceProblem(name);
        if (p != null) throw new Invalid(field, Messages.quote(name), p);
    }

    static void checkNetns(String field, String name) {
        if (name == null) return; // the caller's own namespace
        String p = netnsProblem(name);
        if (p != null) throw new Invalid(field, Messages.quote(name), p);
    }

    static void checkPort(String field, int port) {
        if (port < 1 || port > 65535) throw new Invalid(field, "" + port, "must be 1..65535");
    }
}
