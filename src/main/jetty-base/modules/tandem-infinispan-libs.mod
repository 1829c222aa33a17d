[description]
Infinispan's and Jetty's Infinispan jars only, at the versions this Jetty's modules name: tandem-sessions
builds the cache manager and the session store itself (Jetty's embedded store module would build a
second cache manager). The build fetches these jars once into the template's lib/infinispan/
(pom.xml, execution jetty-base-infinispan-libs), so a node's jetty-base is made without a network.

[tags]
tandem

[depend]
sessions/infinispan/infinispan-common
sessions/infinispan/embedded/infinispan-embedded-libs
