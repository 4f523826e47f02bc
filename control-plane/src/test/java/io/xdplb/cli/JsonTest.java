package io.xdplb.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Trees written without an ObjectMapper read exactly as an ObjectMapper writes them. */
class JsonTest {
    private static ObjectNode sample() {
        ObjectNode o = Json.NODES.objectNode();
        o.put("vip", "192.0.2.10:80/tcp").put("port", 80).put("bytes", 1L << 40).put("rate", 2.5)
                .put("exact", new BigDecimal("1.10")).put("up", true).putNull("none")
                .put("escaped", "tab\there \"quoted\" \\ \u00e9 \u0001");
        o.putArray("empty");
        o.putObject("nothing");
        o.putArray("reals").add(Json.NODES.objectNode().put("address", "198.51.100.2").put("weight", 1)).add(3).add("x");
        o.putObject("nested").putObject("deeper").putArray("list").add(1).add(2);
        return o;
    }

    @Test
    void prettyTreesAreWhatAnObjectMapperWrites() throws Exception {
        assertEquals(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(sample()),
                Json.write(sample()));
    }

    @Test
    void oneLineTreesAreWhatAnObjectMapperWrites() throws Exception {
        assertEquals(new ObjectMapper().writeValueAsString(sample()), Json.writeLine(sample()));
    }

    @Test
    void otherValuesStillGoThroughTheMapper() {
        assertEquals("{\n  \"a\" : [ 1, 2 ]\n}", Json.write((Object) Map.of("a", java.util.List.of(1, 2))));
    }
}
