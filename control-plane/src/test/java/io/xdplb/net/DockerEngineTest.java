package io.xdplb.net;

import io.xdplb.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DOCKER_HOST as the docker CLI reads it, and what xdplb says when the engine is not there. */
class DockerEngineTest {
    @Test
    void unixAndTcpHostsAreUnderstood() {
        assertEquals(UnixDomainSocketAddress.of("/run/d/docker.sock"), DockerEngine.parse("unix:///run/d/docker.sock"));
        InetSocketAddress tcp = (InetSocketAddress) DockerEngine.parse("tcp://192.0.2.5:2375");
        assertEquals("192.0.2.5", tcp.getHostString());
        assertEquals(2375, tcp.getPort());
        assertEquals(DockerEngine.DEFAULT_HOST, DockerEngine.of(Map.of(), null).host());
        assertEquals(DockerEngine.DEFAULT_HOST, DockerEngine.of(Map.of(), "").host());
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker.sock", "unix://run/docker.sock", "http://192.0.2.5:2375", "tcp://192.0.2.5",
            "tcp://192.0.2.5:2375/path", "ssh://user@192.0.2.5"})
    void otherHostsAreRefusedWithWhatIsUnderstood(String host) {
        UserError e = assertThrows(UserError.class, () -> DockerEngine.parse(host));
        assertEquals("bad DOCKER_HOST \"" + host + "\": xdplb understands unix:///path/to/docker.sock and tcp://HOST:PORT",
                e.getMessage());
    }

    @Test
    void tlsIsRefusedWithTheWayAround() {
        UserError e = assertThrows(UserError.class,
                () -> DockerEngine.of(Map.of("DOCKER_TLS_VERIFY", "1"), "tcp://192.0.2.5:2376"));
        assertTrue(e.getMessage().startsWith("DOCKER_TLS_VERIFY is set, and xdplb speaks to the Docker engine only"
                + " without TLS"), e.getMessage());
        assertTrue(e.getMessage().contains("--netns /proc/PID/ns/net"), e.getMessage());
    }

    @Test
    void anEngineThatIsNotThereIsSaidInOneLine() throws Exception {
        Path dir = Files.createTempDirectory("xdplb-docker-");
        try {
            String host = "unix://" + dir.resolve("docker.sock");
            DockerEngine engine = DockerEngine.of(Map.of(), host);
            assertFalse(engine.ping());
            UserError e = assertThrows(UserError.class, () -> engine.running("web1"));
            assertTrue(e.getMessage().startsWith("cannot reach the Docker engine at " + host + " ("), e.getMessage());
            assertTrue(e.getMessage().endsWith("): is dockerd running? DOCKER_HOST selects another engine"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../x", "web 1", "-web1", "web1/json"})
    void badContainerNamesAreRefusedBeforeAsking(String name) {
        DockerEngine engine = DockerEngine.of(Map.of(), "unix:///nonexistent/docker.sock");
        UserError e = assertThrows(UserError.class, () -> engine.running(name));
        assertEquals("bad container name or id \"" + name + "\": letters, digits, '_', '.' or '-', as `docker ps` shows them",
                e.getMessage());
    }

    @Test
    void responsesAreParsed() {
        DockerEngine.Response r = DockerEngine.parseResponse("HTTP/1.0 404 Not Found\r\nContent-Type: application/json\r\n\r\n"
                + "{\"message\":\"No such container: web1\"}");
        assertEquals(404, r.status());
        assertEquals("{\"message\":\"No such container: web1\"}", r.body());
        assertThrows(UserError.class, () -> DockerEngine.parseResponse("SSH-2.0-OpenSSH_9.2\r\n"));
    }
}
