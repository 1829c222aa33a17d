package dev.tandem.config;

import dev.tandem.overload.OverloadLimits;
import dev.tandem.transport.TransportSecurity;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.eclipse.jetty.util.HostPort;
import org.eclipse.jetty.util.InetAddressSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * Turns command line, environment and config file into a validated {@link NodeConfig}.
 * Precedence: command line > environment ({@code TANDEM_<NAME>}) > file (--config) > defaults.
 * The node-name rule lives here and nowhere else; scripts ask {@code --print-node-name}.
 */
public final class ConfigLoader {
    static final String NODE_NAME = "[A-Za-z0-9][A-Za-z0-9_-]{0,62}";

    private final Map<String, String> env;
    private final Supplier<String> hostname;

    public ConfigLoader(Map<String, String> env, Supplier<String> hostname) {
        this.env = env;
        this.hostname = hostname;
    }

    /** The outcome of reading the command line: a config, or text that was asked for (help, version, node name). */
    public sealed interface Result permits Start, Exit {}

    public record Start(NodeConfig config) implements Result {}

    public record Exit(int code, String text) implements Result {}

    public Result load(String... args) {
        NodeOptions options = new NodeOptions();
        CommandLine cli = new CommandLine(options);
        Properties file = readFile(configPath(args));
        rejectUnknownKeys(cli, file);
        LayeredDefaults defaults = new LayeredDefaults(env, file);
        cli.setDefaultValueProvider(defaults);
        try {
            cli.parseArgs(args);
        } catch (ParameterException e) {
            throw refusal(e, defaults, args);
        }
        if (cli.isUsageHelpRequested()) {
            return new Exit(0, cli.getUsageMessage());
        }
        if (cli.isVersionHelpRequested()) {
            return new Exit(0, String.join(System.lineSeparator(), new VersionProvider().getVersion()));
        }
        if (options.printNodeName) {
            return new Exit(0, nodeName(options.node));
        }
        NodeConfig config = validate(options);
        if (options.printJettyIni) {
            return new Exit(0, JettyIni.lines(config));
        }
        return new Start(config);
    }

    /** One sentence per mistake: picocli's own prefix ("Invalid value for option ...") would say it twice. */
    private static ConfigException refusal(ParameterException e, LayeredDefaults defaults, String[] args) {
        if (!(e.getArgSpec() instanceof OptionSpec o)) {
            return new ConfigException("command line", e.getMessage());
        }
        String option = o.longestName();
        String reason = e.getCause() instanceof TypeConversionException t ? t.getMessage() : e.getMessage();
        String origin = defaults.origin(option);
        if (origin != null && !givenOnCommandLine(option, args)) {
            reason += " (from " + origin + ")";
        }
        return new ConfigException(option, reason);
    }

    private static boolean givenOnCommandLine(String option, String[] args) {
        for (String a : args) {
            if (a.equals(option) || a.startsWith(option + "=")) {
                return true;
            }
        }
        return false;
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
        Path file = Path.of(path);
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("--config", "cannot read '" + path + "'"
                    + (file.isAbsolute() ? "" : " (" + file.toAbsolutePath() + ")") + ": " + why(file, e));
        }
        return p;
    }

    /** The JDK names only the path in most of these; say what is wrong with it. */
    private static String why(Path file, Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (Files.isDirectory(file)) {
            return "it is a directory";
        }
        if (e instanceof IllegalArgumentException) {
            return "not a properties file (" + e.getMessage() + ")";
        }
        return e.getMessage();
    }

    private static void rejectUnknownKeys(CommandLine cli, Properties file) {
        Set<String> known = new TreeSet<>();
        for (OptionSpec o : cli.getCommandSpec().options()) {
            if (!o.usageHelp() && !o.versionHelp() && !NodeOptions.QUESTIONS.contains(o.longestName())) {
                known.add(LayeredDefaults.bare(o.longestName()));
            }
        }
        for (String key : file.stringPropertyNames()) {
            if (!known.contains(key)) {
                throw new ConfigException("--config", "unknown key '" + key + "' (known: " + known + ")");
            }
        }
    }

    NodeConfig validate(NodeOptions o) {
        String host = address("--host", o.host);
        int port = range("--port", o.port, 0, 65535);
        String node = nodeName(o.node);
        int clusterPort = range("--cluster-port", o.clusterPort, 1, 65535 - 100);
        List<HostPort> peers = ClusterRules.peers(o.peers, clusterPort);
        String clusterName = o.clusterName == null ? "" : o.clusterName.trim();
        if (!clusterName.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new ConfigException("--cluster-name", "'" + clusterName + "' must be 1-64 of [A-Za-z0-9_.-]");
        }
        String clusterHost = ClusterRules.clusterHost(o.clusterHost, host, peers);
        TransportSecurity security = ClusterRules.security(!peers.isEmpty(), o.clusterCredentials, o.clusterInsecure);
        Duration sessionTimeout = Duration.ofSeconds(range("--session-timeout", o.sessionTimeout, 10, 30 * 24 * 3600));
        SessionLimits limits = SessionLimits.from(o.sessionLifetime, o.maxSessions, sessionTimeout);
        Duration drain = Duration.ofSeconds(range("--drain-seconds", o.drainSeconds, 0, 600));
        Duration stop = Duration.ofSeconds(range("--stop-timeout", o.stopTimeout, 1, 3600));
        InetAddressSet proxies = new InetAddressSet();
        for (String block : o.trustedProxies == null ? List.<String>of() : o.trustedProxies) {
            if (block != null) { // a blank entry is no entry; an empty list trusts no one
                proxies.add(block);
            }
        }
        String sessionClasses = o.sessionClasses == null ? "" : o.sessionClasses.trim();
        if (!sessionClasses.matches("[A-Za-z0-9_.$*;]*") || sessionClasses.contains("!")) {
            throw new ConfigException("--session-classes", "'" + sessionClasses
                    + "' must be class or package patterns separated by ';' (e.g. com.acme.**)");
        }
        OverloadLimits overload = OverloadLimits.defaults();
        if (o.maxRequests != null) {
            overload = overload.withMaxRequests(range("--max-requests", o.maxRequests, 1, 10_000));
        }
        if (o.maxQueued != null) {
            overload = overload.withMaxQueued(range("--max-queued", o.maxQueued, 1, 10_000));
        }
        if (o.queueMs != null) {
            overload = overload.withQueueTime(Duration.ofMillis(range("--queue-ms", o.queueMs, 0, 60_000)));
        }
        if (o.agentPort != null) {
            overload = overload.withAgentPort(range("--agent-port", o.agentPort, 0, 65_535));
        }
        // At most 120 s: readiness waits for the pass (which ends once the JIT is done), and a node
        // whose JIT is still busy after two minutes is better in the pool at part speed than out of it.
        Duration warmup = Duration.ofSeconds(range("--warmup-seconds", o.warmupSeconds, 0, 120));
        Duration eventsWriteTimeout = Duration.ofSeconds(range("--events-write-timeout", o.eventsWriteTimeout, 1, 300));
        return new NodeConfig(host, port, node, peers, clusterHost, clusterPort, clusterName,
                sessionTimeout, drain, stop, proxies, sessionClasses, security, overload, limits, warmup,
                eventsWriteTimeout);
    }

    /** The given name, or else the host name's first label, cleaned up; it becomes the session id suffix. */
    private String nodeName(String given) {
        String node = given == null || given.isBlank() ? sanitize(hostname.get()) : given.trim();
        if (!node.matches(NODE_NAME)) {
            throw new ConfigException("--node", "'" + node + "' must be 1-63 letters, digits, '-' or '_'"
                    + " (it becomes the session id suffix, so no dots)");
        }
        return node;
    }

    private static int range(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigException(option, value + " is outside " + min + "-" + max);
        }
        return value;
    }

    static String address(String option, String value) {
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

    static String sanitize(String hostname) {
        String first = hostname == null ? "" : hostname.split("\\.")[0].toLowerCase(Locale.ROOT);
        String clean = first.replaceAll("[^a-z0-9_-]", "-").replaceAll("^[-_]+", "");
        if (clean.length() > 63) {
            clean = clean.substring(0, 63);
        }
        return clean.isEmpty() ? "node" : clean;
    }
}
