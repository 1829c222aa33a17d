package dev.tandem.config;

import dev.tandem.web.TrustedProxyCustomizer;
import java.util.List;
import org.eclipse.jetty.util.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * The command line of a node. Defaults written here are the last resort: the environment
 * ({@code TANDEM_<NAME>}) and the --config file come first, see {@link LayeredDefaults}.
 * Values are typed here (converters, {@code split}); ranges and cross-checks are in {@link ConfigLoader}.
 */
@Command(name = "tandem",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        // Defaults on a line of their own: a value such as 127.0.0.0/8,::1 is never wrapped apart.
        showDefaultValues = true,
        // "[OPTIONS]": the full synopsis wraps option labels such as HOST[:PORT] mid-value.
        abbreviateSynopsis = true,
        description = {
            "Runs one Tandem node: a JSON API on Jetty whose HTTP sessions live in an",
            "Infinispan cluster.",
            "Every option can also come from the environment as TANDEM_<NAME>, e.g.",
            "  TANDEM_PEERS=app1,app2",
            "or from a properties file (--config) whose keys are the option names",
            "without dashes, e.g.",
            "  peers=app1:7800,app2:7800",
            "Precedence: command line > environment > file > defaults.",
            ""
        })
public final class NodeOptions {
    /** Options that ask the jar something instead of configuring the node: never from env or file. */
    static final List<String> QUESTIONS = List.of("--print-node-name", "--print-jetty-ini");

    @Option(names = "--config", paramLabel = "FILE", showDefaultValue = Visibility.NEVER, description = "Properties file with option values.")
    String config;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "0.0.0.0", description = "HTTP bind address.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", converter = WholeNumberConverter.class,
            description = "HTTP port, 0 = any free port.")
    int port;

    @Option(names = "--node", paramLabel = "NAME",
            description = {"Node name; also the suffix of session ids.",
                "Default: the host name's first label, lower case."})
    String node;

    @Option(names = "--peers", paramLabel = "HOST[:PORT]", split = ",", converter = PeerConverter.class,
            description = {"Cluster members, comma-separated; a static list",
                "that may include this node. PORT defaults to",
                "--cluster-port. None = standalone."})
    List<HostPort> peers;

    @Option(names = "--cluster-host", paramLabel = "ADDR",
            description = {"JGroups bind address. Default: --host if specific,",
                "else this machine's address among --peers."})
    String clusterHost;

    @Option(names = "--cluster-port", paramLabel = "PORT", defaultValue = "7800", converter = WholeNumberConverter.class,
            description = "JGroups TCP port; failure detection uses PORT+100.")
    int clusterPort;

    @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "tandem",
            description = "Cluster name; nodes with another name never join.")
    String clusterName;

    @Option(names = "--cluster-credentials", paramLabel = "DIR",
            description = {"The cluster's credentials (bin/tandem-credentials",
                "DIR makes them): only nodes holding them join, and",
                "node traffic is encrypted. Required with --peers."})
    String clusterCredentials;

    @Option(names = "--cluster-insecure", showDefaultValue = Visibility.NEVER,
            description = {"Development only: cluster over plain TCP, no",
                "credentials; anyone reaching the cluster port can",
                "join and read every session."})
    boolean clusterInsecure;

    @Option(names = "--session-timeout", paramLabel = "SECONDS", defaultValue = "1800",
            converter = WholeNumberConverter.class, description = "Idle seconds before a session expires.")
    int sessionTimeout;

    @Option(names = "--session-lifetime", paramLabel = "SECONDS", defaultValue = "43200",
            converter = WholeNumberConverter.class,
            description = {"Absolute seconds a session may live, however busy;",
                "then the user must log in again."})
    int sessionLifetime;

    @Option(names = "--max-sessions", paramLabel = "N", defaultValue = "0", converter = WholeNumberConverter.class,
            description = {"Sessions this node holds before it refuses new ones",
                "(503). 0 = one per MiB of max heap."})
    int maxSessions;

    @Option(names = "--drain-seconds", paramLabel = "SECONDS", defaultValue = "3", converter = WholeNumberConverter.class,
            description = {"On drain, keep serving this long while the",
                "balancer notices."})
    int drainSeconds;

    @Option(names = "--stop-timeout", paramLabel = "SECONDS", defaultValue = "30", converter = WholeNumberConverter.class,
            description = {"How long in-flight requests may take to finish",
                "on stop."})
    int stopTimeout;

    @Option(names = "--warmup-seconds", paramLabel = "SECONDS", defaultValue = "60", converter = WholeNumberConverter.class,
            description = {"Before reporting ready, send requests down the node's",
                "own request paths (over loopback, to its own port) until the JIT",
                "has compiled them, for at most this long (0-120; 0 = off),",
                "so it serves at speed from its first seconds in the pool."})
    int warmupSeconds;

    /**
     * Why 10 s: a client whose socket takes nothing for that long is gone or stuck (a phone in a
     * tunnel); closing it frees its buffers, and the browser reconnects with Last-Event-ID.
     */
    static final int EVENTS_WRITE_TIMEOUT_DEFAULT = 10;

    @Option(names = "--events-write-timeout", paramLabel = "SECONDS", defaultValue = "" + EVENTS_WRITE_TIMEOUT_DEFAULT,
            converter = WholeNumberConverter.class,
            description = {"An event stream whose client takes no data for",
                "this long is closed (the client reconnects and",
                "resumes from Last-Event-ID); others never wait."})
    int eventsWriteTimeout;

    @Option(names = "--max-requests", paramLabel = "N", converter = WholeNumberConverter.class,
            description = {"Requests served at once; more wait --queue-ms for",
                "a slot, then get 503 + Retry-After (health checks,",
                "events, /metrics and /admin never wait). HAProxy",
                "reads it from --agent-port. Default:",
                "TANDEM_REQUESTS_PER_CORE in haproxy/node-limits.env",
                "times this machine's cores."})
    Integer maxRequests;

    @Option(names = "--agent-port", paramLabel = "PORT", converter = WholeNumberConverter.class,
            description = {"Answer HAProxy's agent-check on this port (on",
                "--host) with this node's --max-requests, which",
                "becomes its server maxconn. 0: any free port.",
                "Default: no agent."})
    Integer agentPort;

    @Option(names = "--max-queued", paramLabel = "N", converter = WholeNumberConverter.class,
            description = {"Requests that may wait for a slot; one more is",
                "refused at once (503 + Retry-After). Give HAProxy",
                "the same number. Default: TANDEM_MAX_QUEUED in",
                "haproxy/node-limits.env."})
    Integer maxQueued;

    @Option(names = "--queue-ms", paramLabel = "MILLIS", converter = WholeNumberConverter.class,
            description = {"How long a request may wait for a slot before",
                "503. Default: TANDEM_QUEUE_MS in",
                "haproxy/node-limits.env."})
    Integer queueMs;

    @Option(names = "--trusted-proxies", paramLabel = "CIDR", split = ",", defaultValue = TrustedProxyCustomizer.DEFAULT,
            converter = AddressBlockConverter.class,
            description = {"Proxies whose X-Forwarded-* headers are believed:",
                "IP addresses or CIDR blocks, comma-separated."})
    List<String> trustedProxies;

    @Option(names = "--session-classes", paramLabel = "PATTERN;...", defaultValue = "",
            showDefaultValue = Visibility.NEVER,
            description = {"Extra classes allowed in session data, in JDK",
                "serial-filter syntax (e.g. com.acme.**)."})
    String sessionClasses;

    @Option(names = "--print-node-name", showDefaultValue = Visibility.NEVER,
            description = {"Print the node name these settings give (from",
                "--node, TANDEM_NODE, the file or the host name)",
                "and exit. Scripts ask this instead of guessing."})
    boolean printNodeName;

    @Option(names = "--print-jetty-ini", showDefaultValue = Visibility.NEVER,
            description = {"Check these settings and print them as a WAR",
                "node's start.d ini lines (bin/tandem-jetty-base",
                "uses it), then exit."})
    boolean printJettyIni;
}
