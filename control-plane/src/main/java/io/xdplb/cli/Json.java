package io.xdplb.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.xdplb.model.JsonTree;

/**
 * The one JSON writer of the CLI: pretty, stable, for people and for jq. Trees (what the listing
 * commands build) are written by Jackson's streaming generator alone ({@link JsonTree#write}); an
 * ObjectMapper, whose set-up costs a one-shot command tens of milliseconds, is made only for other
 * values.
 */
final class Json {
    private Json() {}

    /** Makes the nodes of the trees the commands print. */
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final class Mapping {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** A tree, pretty: the same text as an ObjectMapper with INDENT_OUTPUT writes. */
    static String write(JsonNode tree) {
        return JsonTree.write(tree, new DefaultPrettyPrinter());
    }

    /** A tree on one line: for streams of objects (JSON Lines). */
    static String writeLine(JsonNode tree) {
        return JsonTree.write(tree, null);
    }

    /** Any other value (records, maps of them), through an ObjectMapper. */
    static String write(Object value) {
        if (value instanceof JsonNode tree) return write(tree);
        try {
            return Mapping.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
