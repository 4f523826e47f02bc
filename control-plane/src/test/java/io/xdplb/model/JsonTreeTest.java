package io.xdplb.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JsonTree gives the tree an ObjectMapper gives, node type for node type, and refuses what the config reader must. */
class JsonTreeTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void sameTreeAsObjectMapperReadTree() throws Exception {
        String doc = "{\"version\": 1, \"big\": 12345678901, \"huge\": 123456789012345678901234567890,"
                + " \"ratio\": 0.5, \"neg\": -7, \"t\": true, \"f\": false, \"n\": null, \"s\": \"caf\\u00e9 \\\"q\\\"\","
                + " \"empty\": {}, \"none\": [], \"vips\": [{\"vip\": \"192.0.2.10:80/tcp\", \"reals\": [[1, [2, {}]]]}]}";
        var ours = JsonTree.read(doc);
        var theirs = MAPPER.readTree(doc);
        assertEquals(theirs, ours);
        assertEquals(theirs.get("big").getClass(), ours.get("big").getClass(), "a long stays a LongNode");
        assertEquals(theirs.get("huge").getClass(), ours.get("huge").getClass(), "beyond long: BigIntegerNode");
        assertEquals(theirs.get("ratio").getClass(), ours.get("ratio").getClass(), "a fraction: DoubleNode");
    }

    @Test
    void emptyTextIsTheMissingNode() throws Exception {
        assertTrue(JsonTree.read("").isMissingNode());
        assertTrue(JsonTree.read("  \n").isMissingNode());
    }

    @Test
    void duplicateKeysTrailingValuesAndBrokenSyntaxAreErrorsWithTheirPlace() {
        var dup = assertThrows(JsonProcessingException.class, () -> JsonTree.read("{\"a\": 1, \"a\": 2}"));
        assertTrue(dup.getOriginalMessage().startsWith("Duplicate field 'a'"), dup.getOriginalMessage());
        var trailing = assertThrows(JsonProcessingException.class, () -> JsonTree.read("{\"a\": 1} {}"));
        assertTrue(trailing.getOriginalMessage().startsWith("Trailing token"), trailing.getOriginalMessage());
        var broken = assertThrows(JsonProcessingException.class, () -> JsonTree.read("{\"a\": [1, 2}"));
        assertEquals(1, broken.getLocation().getLineNr());
        assertThrows(JsonProcessingException.class, () -> JsonTree.read("[1, 2"));
        assertThrows(JsonProcessingException.class, () -> JsonTree.read("[".repeat(2000) + "]".repeat(2000)),
                "the parser's nesting limit holds");
    }
}
