package io.xdplb.libbpf;

import io.xdplb.UserError;

/** The kernel refused an object: carries libbpf's log, which holds the verifier's. */
public final class BpfLoadException extends UserError {
    private final String log;

    BpfLoadException(String message, String log) {
        super(message);
        this.log = log;
    }

    /** Everything libbpf logged while loading, including the verifier log. */
    public String log() {
        return log;
    }

    /** The verifier's own complaint: the last line of the program load log that is not a summary. */
    static String verifierComplaint(String log) {
        int begin = log.lastIndexOf("-- BEGIN PROG LOAD LOG --");
        int end = log.lastIndexOf("-- END PROG LOAD LOG --");
        String body = begin >= 0 && end > begin ? log.substring(begin, end) : log;
        String last = "";
        for (String line : body.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("processed ") || l.startsWith("verification time")
                    || l.startsWith("stack depth") || l.startsWith("-- BEGIN") || l.startsWith("libbpf:")) continue;
            last = l;
        }
        return last;
    }
}
