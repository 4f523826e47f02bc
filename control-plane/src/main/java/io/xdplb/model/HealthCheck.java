package io.xdplb.model;

import io.xdplb.Messages;
import io.xdplb.UserError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How the agent checks the reals of one VIP. The probe is an ordinary connection from the
 * director to VIP:port that travels the VIP's tunnel to one real, so it proves that the real
 * serves the VIP, not only that it is up. A real is down after {@code fall} failed checks in
 * a row and up again after {@code rise} passed ones.
 *
 * <p>Written on the command line as one word, {@code KIND[,KEY=VALUE]...}, e.g.
 * {@code http,path=/healthz,expect=200-299,interval=1s}; in the configuration file as an object
 * with the same keys ({@link ConfigJson}).
 *
 * @param port       0 = the VIP's port
 * @param intervalMs time from the start of one check to the start of the next
 * @param timeoutMs  how long one check may take; at most the interval
 * @param path       http: the path of the GET
 * @param expectLow  http: lowest status that passes
 * @param expectHigh http: highest status that passes
 * @param host       http: the Host header (null: the VIP's address)
 * @param payload    udp: what to send; any answer passes
 */
public record HealthCheck(Kind kind, int port, int intervalMs, int timeoutMs, int rise, int fall,
                          String path, int expectLow, int expectHigh, String host, String payload) {
    public enum Kind {
        /** Not checked: every real counts as up ("unchecked"). */
        NONE,
        /** A TCP connect that completes. */
        TCP,
        /** GET path over HTTP/1.0; the status must be in expect. */
        HTTP,
        /** A datagram with payload; any answer passes (an ICMP port unreachable fails). */
        UDP;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String text) {
            for (Kind k : values()) if (k.label().equals(text)) return k;
            throw new Invalid("kind", Messages.quote(text), "must be tcp, http, udp or none");
        }
    }

    public static final int DEFAULT_INTERVAL_MS = 2000;
    public static final int DEFAULT_TIMEOUT_MS = 1000;
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;
    public static final String DEFAULT_PATH = "/";
    public static final int DEFAULT_EXPECT_LOW = 200;
    public static final int DEFAULT_EXPECT_HIGH = 399;

    public static final HealthCheck NONE = new HealthCheck(Kind.NONE, 0, DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS,
            DEFAULT_RISE, DEFAULT_FALL, null, 0, 0, null, null);

    public HealthCheck {
        Objects.requireNonNull(kind, "kind");
        if (port < 0 || port > 65535) throw new Invalid("port", "" + port, "must be 0..65535 (0: the VIP's port)");
        if (intervalMs < 100 || intervalMs > 3_600_000) {
            throw new Invalid("interval", formatDuration(intervalMs), "must be 100ms..1h");
        }
        if (timeoutMs < 10 || timeoutMs > intervalMs) {
            throw new Invalid("timeout", formatDuration(timeoutMs), "must be 10ms..the interval ("
                    + formatDuration(intervalMs) + ")");
        }
        if (rise < 1 || rise > 100) throw new Invalid("rise", "" + rise, "must be 1..100");
        if (fall < 1 || fall > 100) throw new Invalid("fall", "" + fall, "must be 1..100");
        if (kind == Kind.HTTP) {
            if (path == null) path = DEFAULT_PATH;
            if (!path.startsWith("/") || !printable(path)) {
                throw new Invalid("path", Messages.quote(path), "must start with / and have no spaces or control characters");
            }
            if (expectLow == 0 && expectHigh == 0) {
                expectLow = DEFAULT_EXPECT_LOW;
                expectHigh = DEFAULT_EXPECT_HIGH;
            }
            if (expectLow < 100 || expectHigh > 599 || expectLow > expectHigh) {
                throw new Invalid("expect", expectLow + "-" + expectHigh, "must be a status or range within 100-599");
            }
            if (host != null && (host.isEmpty() || !printable(host))) {
                throw new Invalid("host", Messages.quote(host), "must be a host name without spaces or control characters");
            }
        } else {
            if (path != null) throw new Invalid("path", Messages.quote(path), "only http checks have a path");
            if (host != null) throw new Invalid("host", Messages.quote(host), "only http checks have a host");
            if (expectLow != 0 || expectHigh != 0) throw new Invalid("expect", expectLow + "-" + expectHigh, "only http checks expect a status");
        }
        if (kind == Kind.UDP) {
            if (payload == null) payload = "";
            if (payload.length() > 512) throw new Invalid("payload", null, "must be at most 512 characters");
        } else if (payload != null) {
            throw new Invalid("payload", Messages.quote(payload), "only udp checks send a payload");
        }
    }

    private static boolean printable(String s) {
        for (char c : s.toCharArray()) if (c <= 0x20 || c == 0x7f) return false;
        return true;
    }

    public boolean enabled() {
        return kind != Kind.NONE;
    }

    /** The port probed for a VIP: the check's own, else the VIP's. */
    public int portFor(Vip vip) {
        return port != 0 ? port : vip.port();
    }

    /** A check of a port-0 VIP (every port) must name its port; the protocol must fit the kind. */
    public void checkFits(Vip vip) {
        if (!enabled()) return;
        if (port == 0 && vip.port() == 0) {
            throw new Invalid("check.port", null, "VIP " + vip + " serves every port: give the check a port (port=N)");
        }
        boolean udp = vip.proto() == Proto.UDP;
        if (udp != (kind == Kind.UDP)) {
            throw new Invalid("check.kind", Messages.quote(kind.label()), "a " + vip.proto().label()
                    + " VIP needs a " + (udp ? "udp" : "tcp or http") + " check (or none)");
        }
    }

    // ---------------------------------------------------------------- the one-word form

    /** Parses {@code KIND[,KEY=VALUE]...}; a UserError naming the bad part. */
    public static HealthCheck parse(String text) {
        try {
            return parseOrInvalid(text);
        } catch (Invalid e) {
            throw new UserError("bad --check " + Messages.quote(text) + ": " + e.getMessage());
        }
    }

    private static HealthCheck parseOrInvalid(String text) {
        String[] parts = text.split(",", -1);
        Kind kind = Kind.parse(parts[0].strip());
        Map<String, String> kv = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            int eq = p.indexOf('=');
            if (eq <= 0) throw new Invalid(p, null, "expected KEY=VALUE, e.g. interval=2s");
            String key = p.substring(0, eq).strip();
            if (kv.put(key, p.substring(eq + 1)) != null) throw new Invalid(key, null, "is given twice");
        }
        return of(kind, kv);
    }

    /** The keys of a check other than kind, as text (from the command line or the file). */
    static HealthCheck of(Kind kind, Map<String, String> kv) {
        List<String> allowed = new ArrayList<>(List.of("port", "interval", "timeout", "rise", "fall"));
        if (kind == Kind.HTTP) allowed.addAll(List.of("path", "expect", "host"));
        if (kind == Kind.UDP) allowed.add("payload");
        if (kind == Kind.NONE) allowed.clear();
        for (String k : kv.keySet()) {
            if (!allowed.contains(k)) {
                throw new Invalid(k, null, allowed.isEmpty() ? "a none check takes no settings"
                        : "unknown for a " + kind.label() + " check; allowed: " + String.join(", ", allowed));
            }
        }
        int port = kv.containsKey("port") ? integer("port", kv.get("port")) : 0;
        int interval = kv.containsKey("interval") ? parseDuration("interval", kv.get("interval")) : DEFAULT_INTERVAL_MS;
        int timeout = kv.containsKey("timeout") ? parseDuration("timeout", kv.get("timeout"))
                : Math.min(DEFAULT_TIMEOUT_MS, interval);
        int rise = kv.containsKey("rise") ? integer("rise", kv.get("rise")) : DEFAULT_RISE;
        int fall = kv.containsKey("fall") ? integer("fall", kv.get("fall")) : DEFAULT_FALL;
        int lo = 0, hi = 0;
        if (kv.containsKey("expect")) {
            String e = kv.get("expect");
            int dash = e.indexOf('-');
            lo = integer("expect", dash < 0 ? e : e.substring(0, dash));
            hi = dash < 0 ? lo : integer("expect", e.substring(dash + 1));
        }
        return new HealthCheck(kind, port, interval, timeout, rise, fall, kv.get("path"), lo, hi, kv.get("host"),
                kv.get("payload"));
    }

    private static int integer(String key, String v) {
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new Invalid(key, Messages.quote(v), "must be a whole number");
        }
    }

    /** "2s", "1.5s", "500ms" → milliseconds. */
    public static int parseDuration(String key, String v) {
        String s = v.strip();
        double factor;
        if (s.endsWith("ms")) {
            factor = 1;
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s")) {
            factor = 1000;
            s = s.substring(0, s.length() - 1);
        } else {
            throw new Invalid(key, Messages.quote(v), "must be a duration such as 2s, 1.5s or 500ms");
        }
        try {
            double d = Double.parseDouble(s) * factor;
            if (!(d >= 0) || d > Integer.MAX_VALUE || s.contains("e") || s.contains("E")) throw new NumberFormatException();
            return (int) Math.round(d);
        } catch (NumberFormatException e) {
            throw new Invalid(key, Messages.quote(v), "must be a duration such as 2s, 1.5s or 500ms");
        }
    }

    public static String formatDuration(int ms) {
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    /** The canonical one-word form, every setting of the kind spelt out. */
    public String format() {
        return kind.label() + (kind == Kind.NONE ? "" : "," + String.join(",", settings().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).toList()));
    }

    /** The settings of the kind in a fixed order, as text (port 0 is written as 0: the VIP's). */
    public Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        if (kind == Kind.NONE) return m;
        m.put("port", "" + port);
        m.put("interval", formatDuration(intervalMs));
        m.put("timeout", formatDuration(timeoutMs));
        m.put("rise", "" + rise);
        m.put("fall", "" + fall);
        if (kind == Kind.HTTP) {
            m.put("path", path);
            m.put("expect", expectLow == expectHigh ? "" + expectLow : expectLow + "-" + expectHigh);
            if (host != null) m.put("host", host);
        }
        if (kind == Kind.UDP) m.put("payload", payload);
        return m;
    }

    @Override
    public String toString() {
        return format();
    }
}
