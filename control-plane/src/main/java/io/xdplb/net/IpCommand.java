package io.xdplb.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xdplb.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * iproute2's `ip`, for the address, route and neighbour work (`ip -n NS -j ...`): the
 * operator's own tool, so what xdplb does can be read back with the same commands.
 */
public final class IpCommand {
    private IpCommand() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs ip [-n ns] args...; returns stdout, or throws a UserError with ip's own message. */
    public static String run(String netns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        if (netns != null) cmd.addAll(List.of("-n", netns));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new UserError("`" + String.join(" ", cmd) + "` did not finish within 30 s");
            }
            if (p.exitValue() != 0) {
                throw new UserError("`" + String.join(" ", cmd) + "` failed: "
                        + new String(err, StandardCharsets.UTF_8).strip().replace('\n', ' '));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("cannot run `ip` (" + e.getMessage() + "); install iproute2");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while running " + String.join(" ", cmd));
        }
    }

    /** ip -j [-n ns] args..., parsed. */
    public static JsonNode json(String netns, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "-j";
        System.arraycopy(args, 0, all, 1, args.length);
        String out = run(netns, all);
        try {
            return out.isBlank() ? JSON.createArrayNode() : JSON.readTree(out);
        } catch (IOException e) {
            throw new UserError("cannot parse the JSON of `ip " + String.join(" ", all) + "`: " + e.getMessage());
        }
    }
}
