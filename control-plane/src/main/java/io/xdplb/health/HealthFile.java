package io.xdplb.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xdplb.UserError;
import io.xdplb.model.IpAddresses;
import io.xdplb.model.Vip;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * /run/xdplb/INSTANCE/health.json: the agent's health results, so that the CLI (real list,
 * and every map change it makes) uses the same effective weights as the agent. Under /run: a
 * reboot forgets health, and the agent starts from "unchecked". Written whole (temp file,
 * rename), so readers never see half a file.
 */
public final class HealthFile {
    /** For writing only, made on first use: reading the file (JsonTree) needs no ObjectMapper. */
    private static final class Writing {
        static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    private final Path file;

    public HealthFile(Path runDir) {
        this.file = runDir.resolve("health.json");
    }

    public Path path() {
        return file;
    }

    /** What the agent last wrote; {@link HealthView#NONE} when nothing (or nothing readable) is there. */
    public HealthView read() {
        JsonNode root;
        try {
            root = io.xdplb.model.JsonTree.read(Files.readString(file));
        } catch (NoSuchFileException e) {
            return HealthView.NONE;
        } catch (IOException e) {
            return HealthView.NONE; // a torn or foreign file: treat as "no health known", the safe side
        }
        Map<Vip, Map<InetAddress, RealHealth>> vips = new HashMap<>();
        try {
            for (JsonNode v : root.path("vips")) {
                Vip vip = Vip.parse(v.path("vip").asText());
                Map<InetAddress, RealHealth> reals = new HashMap<>();
                for (JsonNode r : v.path("reals")) {
                    reals.put(InetAddress.ofLiteral(r.path("address").asText()), new RealHealth(
                            HealthState.parse(r.path("state").asText()),
                            r.hasNonNull("since") ? Instant.parse(r.get("since").asText()) : null,
                            r.hasNonNull("lastError") ? r.get("lastError").asText() : null));
                }
                vips.put(vip, reals);
            }
            Instant updated = root.hasNonNull("updated") ? Instant.parse(root.get("updated").asText()) : null;
            return new HealthView(vips, updated);
        } catch (RuntimeException e) {
            return HealthView.NONE;
        }
    }

    public void write(HealthView view) {
        ObjectNode root = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        root.put("updated", view.updated() == null ? null : view.updated().toString());
        ArrayNode vips = root.putArray("vips");
        Map<String, Map<InetAddress, RealHealth>> sorted = new TreeMap<>();
        view.vips().forEach((k, v) -> sorted.put(k.toString(), v));
        sorted.forEach((vip, reals) -> {
            ObjectNode o = vips.addObject();
            o.put("vip", vip);
            ArrayNode arr = o.putArray("reals");
            Map<String, RealHealth> byAddr = new TreeMap<>();
            reals.forEach((a, h) -> byAddr.put(IpAddresses.format(a), h));
            byAddr.forEach((a, h) -> {
                ObjectNode r = arr.addObject();
                r.put("address", a);
                r.put("state", h.state().label());
                r.put("since", h.since() == null ? null : h.since().toString());
                r.put("lastError", h.lastError());
            });
        });
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".health.", ".tmp");
            Files.writeString(tmp, Writing.JSON.writeValueAsString(root) + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UserError("cannot write " + file + ": " + e.getMessage());
        }
    }
}
