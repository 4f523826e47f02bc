package io.xdplb;

/**
 * User text inside messages. Every error is one line on stderr; a value the user typed (or a file
 * held) may contain a newline, a NUL, an escape sequence or a bidi override that would break the
 * line, forge a second "xdplb: ..." line or hide part of the message. {@link #quote} shows such a
 * value in double quotes with those characters escaped; {@link #oneLine} is the last guard, applied
 * to every message as it is printed.
 */
public final class Messages {
    private Messages() {}

    /** s in double quotes, with '"', '\' and every invisible or line-breaking character escaped. */
    public static String quote(String s) {
        if (s == null) return "null";
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        escape(s, sb, true);
        return sb.append('"').toString();
    }

    /** message with every invisible or line-breaking character escaped (quotes and backslashes kept as they are). */
    public static String oneLine(String message) {
        if (message == null) return "null";
        StringBuilder sb = new StringBuilder(message.length());
        escape(message, sb, false);
        return sb.toString();
    }

    private static void escape(String s, StringBuilder sb, boolean quoting) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (quoting && (cp == '"' || cp == '\\')) sb.append('\\').appendCodePoint(cp);
            else if (cp == '\n') sb.append("\\n");
            else if (cp == '\r') sb.append("\\r");
            else if (cp == '\t') sb.append("\\t");
            else if (invisible(cp)) sb.append(cp <= 0xffff ? String.format("\\u%04x", cp) : String.format("\\U%08x", cp));
            else sb.appendCodePoint(cp);
        }
    }

    private static boolean invisible(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED -> true;
            default -> false;
        };
    }
}
