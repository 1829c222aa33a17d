package dev.tandem.config;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of a node. Defaults written here are the last resort: the environment
 * ({@code TANDEM_<NAME>}) and the --config file come first, see {@link LayeredDefaults}.
 */
@Command(name = "tandem",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Runs one Tandem node: a JSON API on Jetty whose HTTP sessions live in an Infinispan cluster.",
            "Every option can also come from the environment as TANDEM_<NAME> (e.g. TANDEM_PEERS) or from",
            "a properties file (--config; keys are option names without dashes, e.g. peers=a:7800,b:7800).",
            "Precedence: command line > environment > file > defaults."
        })
public final class NodeOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with option values.")
    String config;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "0.0.0.0",
            description = "HTTP bind address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "HTTP port, 0 = any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--node", paramLabel = "NAME",
            description = "Node name; also the suffix of session ids (default: the host name, sanitized).")
    String node;

    @Option(names = "--peers", paramLabel = "HOST[:PORT],...", defaultValue = "",
            description = "Cluster members (static list, may include this node). Empty = standalone.")
    String peers;

    @Option(names = "--cluster-host", paramLabel = "ADDR",
            description = "JGroups bind address (default: --host if specific, else the local address among --peers).")
    String clusterHost;

    @Option(names = "--cluster-port", paramLabel = "PORT", defaultValue = "7800",
            description = "JGroups TCP port; failure detection uses PORT+100 (default: ${DEFAULT-VALUE}).")
    int clusterPort;

    @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "tandem",
            description = "Cluster name; nodes with another name never join (default: ${DEFAULT-VALUE}).")
    String clusterName;

    @Option(names = "--session-timeout", paramLabel = "SECONDS", defaultValue = "1800",
            description = "Idle seconds before a session expires (default: ${DEFAULT-VALUE}).")
    int sessionTimeout;

    @Option(names = "--drain-seconds", paramLabel = "SECONDS", defaultValue = "3",
            description = "On drain, keep serving this long while the balancer notices (default: ${DEFAULT-VALUE}).")
    int drainSeconds;

    @Option(names = "--stop-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long in-flight requests may take to finish on stop (default: ${DEFAULT-VALUE}).")
    int stopTimeout;

    @Option(names = "--trusted-proxies", paramLabel = "CIDR,...", defaultValue = "127.0.0.0/8,::1",
            description = "Proxies whose X-Forwarded-* headers are believed (default: ${DEFAULT-VALUE}).")
    String trustedProxies;

    @Option(names = "--session-classes", paramLabel = "PATTERN;...", defaultValue = "",
            description = "Extra classes allowed in session data, JDK serial-filter syntax (e.g. com.acme.**).")
    String sessionClasses;
}
