package dev.tandem.config;

/**
 * What a node's HTTP parser keeps between the requests of one connection: nothing. Jetty caches
 * the header fields a connection has sent (a trie of up to 1,024 nodes per connection) so that a
 * client repeating them costs no parsing. A node's connections come from HAProxy, which sends
 * different users' requests down one connection ({@code http-reuse safe}), each with its own
 * session cookie and forwarded-for address: the cache was walked, missed and refilled on nearly
 * every request. Measured without it (bench/side/header-cache.md): 5-8 % less CPU a session request.
 * The jar sets it on its connector, a WAR node's start.d says it to Jetty ({@link JettyIni}).
 */
public final class HeaderCache {
    /** Jetty's {@code headerCacheSize}; 0 turns the cache off. */
    public static final int SIZE = 0;

    private HeaderCache() {}
}
