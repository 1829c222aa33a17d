package dev.tandem.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.ApiModule;
import dev.tandem.api.SessionChanges;
import dev.tandem.api.SessionWork;
import dev.tandem.cluster.ClusterView;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's real-time module: the event log on the cluster, the API that publishes and listens,
 * the few threads that wake waiting clients, and the drain step that sends them elsewhere.
 */
public final class Events implements AutoCloseable {
    /** Comments on idle streams this often, so proxies (HAProxy's 30 s timeouts) keep them. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** Room messages are kept this long after they were posted (within the buffer's capacity). */
    static final Duration ROOM_RETENTION = Duration.ofHours(24);

    private final String node;
    private final ObjectMapper mapper;
    private final Duration sessionRetention;
    private final Duration writeTimeout;
    private final java.util.concurrent.atomic.AtomicLong stalled = new java.util.concurrent.atomic.AtomicLong();
    private final Set<SseStream> streams = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timers;
    private final SessionChanges sessionEvents = new SessionEvents();
    private final java.util.concurrent.ExecutorService notifier;
    private volatile EventLog log;
    private volatile boolean draining;
    private volatile Timer deliveries;

    /**
     * @param sessionRetention how long a session's events are kept: its timeout and a little
     * @param writeTimeout     a stream whose client takes nothing for this long is closed (--events-write-timeout)
     */
    public Events(String node, ObjectMapper mapper, Duration sessionRetention, Duration writeTimeout) {
        this.node = node;
        this.mapper = mapper;
        this.sessionRetention = sessionRetention;
        this.writeTimeout = writeTimeout;
        AtomicInteger n = new AtomicInteger();
        // Waking clients writes their answers; a few threads, whatever the number of clients: a
        // stream writes only what its socket takes at once (SseStream), so none of them ever waits.
        // Discard, not abort, what comes after close: the cache's listeners hand off here until the
        // node has left the cluster, and there is nobody left to wake (an exception thrown into
        // Infinispan's topology listener failed the stopping node's rebalance with an ERROR).
        this.notifier = new ThreadPoolExecutor(4, 4, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> daemon(r, "tandem-events-" + n.incrementAndGet()), new ThreadPoolExecutor.DiscardPolicy());
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "tandem-events-timer"));
    }

    /**
     * Follows the event cache. A joining node serves at once (it is not ready yet, see
     * SessionCluster) and reads the events again once its state transfer is complete.
     */
    public void start(EventStore store, boolean clustered, MeterRegistry registry) {
        EventLog started = new EventLog(store, mapper, node, notifier, sessionRetention, ROOM_RETENTION,
                EventBudget.forHeap(Runtime.getRuntime().maxMemory()));
        started.start();
        this.log = started;
        if (clustered) {
            Thread t = new Thread(() -> {
                store.awaitInitialState();
                started.load();
            }, "tandem-events-state");
            t.setDaemon(true);
            t.start();
        }
        timers.scheduleWithFixedDelay(started::skipStaleHoles, 500, 500, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(started::completeFailedWrites, 1, 1, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        long check = Math.max(100, Math.min(1000, writeTimeout.toMillis() / 4));
        timers.scheduleWithFixedDelay(this::closeStalled, check, check, TimeUnit.MILLISECONDS);
        Gauge.builder("tandem.events.waiting", started, EventLog::waiting)
                .description("Long polls and event streams waiting on this node").register(registry);
        Gauge.builder("tandem.events.retained", started, EventLog::weight).baseUnit("bytes")
                .description("What the events this node holds weigh on its heap, by estimate (bounded: a quarter of the heap)")
                .register(registry);
        Gauge.builder("tandem.events.writes.unfinished", started, EventLog::unfinishedWrites)
                .description("Event writes the cluster refused that may sit on some members only, not completed yet")
                .register(registry);
        this.deliveries = Timer.builder("tandem.events.delivery")
                .description("From an event's publish (on any node) to its write into a stream on this node")
                // Buckets, as for requests: they add up across nodes (histogram_quantile over the cluster).
                .publishPercentileHistogram()
                // A bucket edge at issue 11's fan-out goal (p99 within 50 ms), so the share delivered
                // in time is counted exactly, not bounded by the nearest percentile bucket.
                .serviceLevelObjectives(Duration.ofMillis(50))
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        FunctionCounter.builder("tandem.events.stalled.streams", stalled, java.util.concurrent.atomic.AtomicLong::get)
                .description("Event streams closed because their client took no data for --events-write-timeout")
                .register(registry);
    }

    /** The events API (resources and the session-change publisher), once {@link #start} has run. */
    public ApiModule api(SessionWork work, ClusterView cluster) {
        EventLog l = logOrFail();
        return rc -> {
            rc.register(new EventsResource(this, mapper, node));
            rc.register(new RoomResource(l, work, cluster, mapper));
            rc.register(new PublishFilter(l));
            rc.register(new PageResource());
        };
    }

    /** Where the session resources announce their changes, published on each session's channel. */
    public SessionChanges sessionChanges() {
        return sessionEvents;
    }

    /** Drain step: every waiting long poll is answered (204) and every stream told to reconnect. */
    public void drain() {
        draining = true;
        EventLog l = log;
        if (l != null) {
            l.forEachWaiter(Waiter::drain);
        }
    }

    boolean draining() {
        return draining;
    }

    EventLog log() {
        return logOrFail();
    }

    /** Where streams record each event's delivery delay. */
    Timer deliveries() {
        Timer t = deliveries;
        if (t == null) {
            throw new IllegalStateException("events not started");
        }
        return t;
    }

    Duration writeTimeout() {
        return writeTimeout;
    }

    void opened(SseStream stream) {
        streams.add(stream);
    }

    private void heartbeat() {
        streams.removeIf(SseStream::isClosed);
        streams.forEach(s -> notifier.execute(s::heartbeat));
    }

    /** Closes the streams whose clients took nothing for the write timeout (they reconnect and resume). */
    private void closeStalled() {
        long now = System.nanoTime();
        for (SseStream s : streams) {
            if (s.closeIfStalled(now)) {
                stalled.incrementAndGet();
            }
        }
        streams.removeIf(SseStream::isClosed);
    }

    private EventLog logOrFail() {
        EventLog l = log;
        if (l == null) {
            throw new IllegalStateException("events not started");
        }
        return l;
    }

    @Override
    public void close() {
        timers.shutdownNow();
        notifier.shutdown();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
