package dev.tandem.config;

/** A cluster member address as given in --peers: {@code host[:port]}. */
public record HostPort(String host, int port) {

    static HostPort parse(String option, String text, int defaultPort) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new ConfigException(option, "empty member in list");
        }
        String host = s;
        int port = defaultPort;
        int colon = s.lastIndexOf(':');
        if (s.startsWith("[")) { // [v6]:port
            int close = s.indexOf(']');
            if (close < 0) {
                throw new ConfigException(option, "'" + s + "' has an unclosed '['");
            }
            host = s.substring(1, close);
            if (close + 1 < s.length()) {
                port = parsePort(option, s, s.substring(close + 2));
            }
        } else if (colon > 0 && s.indexOf(':') == colon) {
            host = s.substring(0, colon);
            port = parsePort(option, s, s.substring(colon + 1));
        }
        if (!host.matches("[A-Za-z0-9.:_-]+")) {
            throw new ConfigException(option, "'" + s + "' is not a host name or address");
        }
        return new HostPort(host, port);
    }

    private static int parsePort(String option, String member, String port) {
        try {
            int p = Integer.parseInt(port);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(option, "'" + member + "' has no valid port (1-65535)");
    }

    /** JGroups TCPPING syntax: {@code host[port]}. */
    public String toJGroups() {
        return host + "[" + port + "]";
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
