[description]
The fat jar's request budget for a Tandem WAR node (dev.tandem.overload.OverloadHandler, Jetty's
QoSHandler with Tandem's answers): at most -Dtandem.max.requests requests at once, the next ones wait
up to -Dtandem.queue.ms, then 503 JSON + Retry-After; health checks, events, /metrics and /admin are
exempt. Values in start.d/tandem-node.ini, from the node's options (defaults: haproxy/node-limits.env).
Also dev.tandem.web.UnreadBodiesHandler: an answer written before its request's body arrived says
Connection: close, as in the fat jar.

[tags]
tandem

[depend]
server

[before]
# Its XML runs first, so graceful's handler is inserted outside it: a stopping node's 503 comes first.
graceful

[lib]
# Only the budget's classes (target/jetty-base-template/lib/tandem-overload): they need only Jetty.
lib/tandem-overload/*.jar

[xml]
etc/tandem-overload.xml
