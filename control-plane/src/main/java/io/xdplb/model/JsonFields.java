package io.xdplb.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Strict reading of one JSON object of the config file: only the named fields are allowed,
 * every value is type-checked, and every error is an {@link Invalid} naming the field's path.
 * Remembers each value's text as written, so a range error from a record constructor can
 * show the operator's own spelling (and numbers too big for an int) rather than ours.
 */
final class JsonFields {
    private final JsonNode node;
    private final String path;
    // the values read, shown only for an error: a JsonNode's text is made by an ObjectMapper,
    // which a command that reads a valid file should never have to set up
    private final Map<String, JsonNode> written = new HashMap<>();

    private JsonFields(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The object at {@code path}, whose fields must all be among {@code allowed}. */
    static JsonFields of(JsonNode node, String path, String... allowed) {
        if (node == null || !node.isObject()) {
            throw new Invalid(path.isEmpty() ? "(top level)" : path, shown(node), "must be a JSON object {...}");
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!List.of(allowed).contains(name)) {
                throw new Invalid(child(path, name), null, "unknown field; allowed fields are " + String.join(", ", allowed));
            }
        }
        return new JsonFields(node, path);
    }

    static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    String path(String name) {
        return child(path, name);
    }

    /** The value, or null when the field is missing or JSON null. */
    JsonNode get(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) return null;
        written.put(name, v);
        return v;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    String string(String name) {
        String s = optString(name);
        if (s == null) throw new Invalid(path(name), null, "is required");
        return s;
    }

    String optString(String name) {
        JsonNode v = get(name);
        if (v == null) return null;
        if (!v.isTextual()) throw new Invalid(path(name), shown(v), "must be a string");
        return v.textValue();
    }

    /** An integer; numbers beyond int are clamped so that the caller's range check rejects them. */
    int integer(String name, int defaultValue) {
        JsonNode v = get(name);
        if (v == null) return defaultValue;
        if (!v.isIntegralNumber()) throw new Invalid(path(name), shown(v), "must be an integer");
        if (v.canConvertToInt()) return v.intValue();
        return v.bigIntegerValue().signum() < 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE;
    }

    /** A long integer (AS numbers); numbers beyond long are clamped like {@link #integer}. */
    long longInteger(String name, long defaultValue) {
        JsonNode v = get(name);
        if (v == null) return defaultValue;
        if (!v.isIntegralNumber()) throw new Invalid(path(name), shown(v), "must be an integer");
        if (v.canConvertToLong()) return v.longValue();
        return v.bigIntegerValue().signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }

    /** The array's elements; an empty list when the field is missing. */
    List<JsonNode> array(String name) {
        JsonNode v = get(name);
        if (v == null) return List.of();
        if (!v.isArray()) throw new Invalid(path(name), shown(v), "must be a JSON array [...]");
        List<JsonNode> items = new ArrayList<>();
        v.forEach(items::add);
        return items;
    }

    /** The array's elements, each of which must be a string. */
    List<String> strings(String name) {
        List<String> out = new ArrayList<>();
        List<JsonNode> items = array(name);
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (!item.isTextual()) throw new Invalid(path(name) + "[" + i + "]", shown(item), "must be a string");
            out.add(item.textValue());
        }
        return out;
    }

    /**
     * An error from the record built out of this object, moved to this object's path. When it
     * is about the value of one of this object's own fields, that value is shown as written.
     */
    Invalid relocate(Invalid e) {
        JsonNode asWritten = written.get(e.field());
        String value = e.value() == null ? null : asWritten != null ? shown(asWritten) : e.value();
        Invalid local = new Invalid(e.field(), value, e.reason());
        return path.isEmpty() ? local : local.under(path);
    }

    /** A value as JSON text, shortened so that an error stays one readable line. */
    static String shown(JsonNode v) {
        if (v == null) return "null";
        String s = v.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
