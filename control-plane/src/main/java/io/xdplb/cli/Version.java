package io.xdplb.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** `xdplb --version`: the version and commit of the build (scripts/version), and the Java runtime it runs on. */
final class Version implements CommandLine.IVersionProvider {
    /** The build's version, e.g. "0.3.0" (unknown when the jar has no version.properties). */
    static String number() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // unknown
        }
        return p.getProperty("version", "unknown") + "+" + p.getProperty("commit", "unknown");
    }

    @Override
    public String[] getVersion() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // a jar we cannot read from is reported by everything else; here: unknown
        }
        return new String[] {
                "xdplb " + p.getProperty("version", "unknown"),
                "commit " + p.getProperty("commit", "unknown"),
                "Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")"};
    }
}
