package dev.tandem.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Turns command line, environment and config file into a validated {@link NodeConfig}.
 * Precedence: command line > environment ({@code TANDEM_<NAME>}) > file (--config) > defaults.
 */
public final class ConfigLoader {
    static final String NODE_NAME = "[A-Za-z0-9][A-Za-z0-9_-]{0,62}";

    private final Map<String, String> env;
    private final Supplier<String> hostname;

    public ConfigLoader(Map<String, String> env, Supplier<String> hostname) {
        this.env = env;
        this.hostname = hostname;
    }

    /** The outcome of reading the command line: a config, or help/version text that was asked for. */
    public sealed interface Result permits Start, Exit {}

    public record Start(NodeConfig config) implements Result {}

    public record Exit(int code, String text) implements Result {}

    public Result load(String... args) {
        NodeOptions options = new NodeOptions();
        CommandLine cli = new CommandLine(options);
        Properties file = readFile(configPath(args));
        rejectUnknownKeys(cli, file);
        cli.setDefaultValueProvider(new LayeredDefaults(env, file));
        try {
            cli.parseArgs(args);
        } catch (ParameterException e) {
            throw new ConfigException(optionOf(e), e.getMessage());
        }
        if (cli.isUsageHelpRequested()) {
            return new Exit(0, cli.getUsageMessage());
        }
        if (cli.isVersionHelpRequested()) {
            return new Exit(0, String.join(System.lineSeparator(), new VersionProvider().getVersion()));
        }
        return new Start(validate(options));
    }

    private String configPath(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith("--config=")) {
                return args[i].substring("--config=".length());
            }
        }
        return env.get(LayeredDefaults.envName("--config"));
    }

    private static Properties readFile(String path) {
        Properties p = new Properties();
        if (path == null || path.isBlank()) {
            return p;
        }
        try (Reader r = Files.newBufferedReader(Path.of(path))) {
            p.load(r);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("--config", "cannot read '" + path + "': " + e.getMessage());
        }
        return p;
    }

    private static void rejectUnknownKeys(CommandLine cli, Properties file) {
        Set<String> known = new TreeSet<>();
        for (OptionSpec o : cli.getCommandSpec().options()) {
            known.add(LayeredDefaults.bare(o.longestName()));
        }
        for (String key : file.stringPropertyNames()) {
            if (!known.contains(key)) {
                throw new ConfigException("--config", "unknown key '" + key + "' (known: " + known + ")");
            }
        }
    }

    private static String optionOf(ParameterException e) {
        if (e.getArgSpec() instanceof OptionSpec o) {
            return o.longestName();
        }
        return "command line";
    }

    NodeConfig validate(NodeOptions o) {
        String host = address("--host", o.host);
        int port = range("--port", o.port, 0, 65535);
        String node = o.node == null || o.node.isBlank() ? sanitize(hostname.get()) : o.node.trim();
        if (!node.matches(NODE_NAME)) {
            throw new ConfigException("--node", "'" + node + "' must be 1-63 letters, digits, '-' or '_'"
                    + " (it becomes the session id suffix, so no dots)");
        }
        int clusterPort = range("--cluster-port", o.clusterPort, 1, 65535 - 100);
        List<HostPort> peers = peers(o.peers, clusterPort);
        String clusterName = o.clusterName == null ? "" : o.clusterName.trim();
        if (!clusterName.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new ConfigException("--cluster-name", "'" + clusterName + "' must be 1-64 of [A-Za-z0-9_.-]");
        }
        String clusterHost = clusterHost(o.clusterHost, host, peers);
        Duration sessionTimeout = Duration.ofSeconds(range("--session-timeout", o.sessionTimeout, 10, 30 * 24 * 3600));
        Duration drain = Duration.ofSeconds(range("--drain-seconds", o.drainSeconds, 0, 600));
        Duration stop = Duration.ofSeconds(range("--stop-timeout", o.stopTimeout, 1, 3600));
        List<Cidr> proxies = new ArrayList<>();
        for (String part : o.trustedProxies.split(",")) {
            if (!part.isBlank()) {
                proxies.add(Cidr.parse("--trusted-proxies", part));
            }
        }
        String sessionClasses = o.sessionClasses == null ? "" : o.sessionClasses.trim();
        if (!sessionClasses.matches("[A-Za-z0-9_.$*;]*") || sessionClasses.contains("!")) {
            throw new ConfigException("--session-classes", "'" + sessionClasses
                    + "' must be class or package patterns separated by ';' (e.g. com.acme.**)");
        }
        return new NodeConfig(host, port, node, peers, clusterHost, clusterPort, clusterName,
                sessionTimeout, drain, stop, proxies, sessionClasses);
    }

    private static int range(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigException(option, value + " is outside " + min + "-" + max);
        }
        return value;
    }

    private static String address(String option, String value) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty() || !v.matches("[A-Za-z0-9.:_-]+")) {
            throw new ConfigException(option, "'" + v + "' is not a host name or IP address");
        }
        try {
            InetAddress.getByName(v);
        } catch (UnknownHostException e) {
            throw new ConfigException(option, "'" + v + "' does not resolve");
        }
        return v;
    }

    private static List<HostPort> peers(String text, int defaultPort) {
        List<HostPort> peers = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return peers;
        }
        for (String part : text.split(",")) {
            HostPort peer = HostPort.parse("--peers", part, defaultPort);
            if (!peers.contains(peer)) {
                peers.add(peer);
            }
        }
        return peers;
    }

    /**
     * JGroups must bind to the interface the peers can reach: never a wildcard, and never
     * Vagrant's NAT interface, which has the same address on every VM.
     */
    private static String clusterHost(String given, String host, List<HostPort> peers) {
        if (given != null && !given.isBlank()) {
            String addr = address("--cluster-host", given);
            try {
                InetAddress a = InetAddress.getByName(addr);
                if (a.isAnyLocalAddress()) {
                    throw new ConfigException("--cluster-host", "'" + addr + "' is a wildcard; give the address peers reach");
                }
                if (!a.isLoopbackAddress() && NetworkInterface.getByInetAddress(a) == null) {
                    throw new ConfigException("--cluster-host", "'" + addr + "' is not an address of this machine");
                }
            } catch (UnknownHostException | SocketException e) {
                throw new ConfigException("--cluster-host", "'" + addr + "': " + e.getMessage());
            }
            return addr;
        }
        try {
            InetAddress h = InetAddress.getByName(host);
            if (!h.isAnyLocalAddress()) {
                return host;
            }
            for (HostPort peer : peers) {
                InetAddress p = InetAddress.getByName(peer.host());
                if (!p.isLoopbackAddress() && NetworkInterface.getByInetAddress(p) != null) {
                    return p.getHostAddress();
                }
            }
        } catch (UnknownHostException | SocketException e) {
            throw new ConfigException("--peers", e.getMessage());
        }
        if (peers.isEmpty()) {
            return "127.0.0.1"; // standalone: JGroups is not started at all
        }
        throw new ConfigException("--cluster-host", "required when --host is a wildcard and no peer in --peers"
                + " is an address of this machine");
    }

    static String sanitize(String hostname) {
        String first = hostname == null ? "" : hostname.split("\\.")[0].toLowerCase(Locale.ROOT);
        String clean = first.replaceAll("[^a-z0-9_-]", "-").replaceAll("^[-_]+", "");
        if (clean.length() > 63) {
            clean = clean.substring(0, 63);
        }
        return clean.isEmpty() ? "node" : clean;
    }
}
