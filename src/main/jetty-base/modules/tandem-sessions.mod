[description]
The fat jar's session layer for a Tandem WAR node (dev.tandem.session.SessionLayer): the cache
manager from etc/infinispan.xml, a cluster-wide lock per session, fenced writes, 503 instead of a
fresh session; and X-Forwarded-* believed only from trusted proxies (-Dtandem.trusted.proxies), as
in the fat jar. In the ee10 environment, since its session handler is a servlet SessionHandler.

[tags]
tandem

[environment]
ee10

[depend]
ee10-servlet
http
# Its id manager (etc/sessions/id-manager.xml) must exist before etc/tandem-sessions.xml replaces it.
sessions

[lib]
# The same classes the fat jar runs (target/jetty-base-template/lib/tandem).
lib/tandem/*.jar

[xml]
etc/tandem-sessions.xml
