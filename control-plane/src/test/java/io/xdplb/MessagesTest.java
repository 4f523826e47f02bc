package io.xdplb;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** User text in messages: quoted, and nothing in it can break the line, forge a line or hide text. */
class MessagesTest {
    @Test
    void quoteEscapesWhatWouldBreakOrHideTheLine() {
        assertEquals("\"eth0\"", Messages.quote("eth0"));
        assertEquals("\"a\\nxdplb: forged\"", Messages.quote("a\nxdplb: forged"));
        assertEquals("\"a\\u0000b\\r\\t\\u001b[31m\"", Messages.quote("a\u0000b\r\t\u001b[31m"));
        assertEquals("\"say \\\"hi\\\" \\\\ bye\"", Messages.quote("say \"hi\" \\ bye"));
        assertEquals("\"tcp\\u202e\\u2028\\u0085\"", Messages.quote("tcp\u202e\u2028\u0085"), "bidi override, line separator, NEL");
        assertEquals("\"１９２ é 😀\"", Messages.quote("１９２ é 😀"), "visible unicode stays readable");
        assertEquals("\"\\ud800\"", Messages.quote("\ud800"), "a lone surrogate");
    }

    @Test
    void oneLineKeepsQuotesButNotNewlines() {
        assertEquals("bad \"x\"\\nxdplb: y", Messages.oneLine("bad \"x\"\nxdplb: y"));
    }
}
