# DO NOT EDIT the serial filter below by hand: SessionSerialFilter.pattern("") must equal it
# (JettyBaseTemplateTest checks).

[description]
A Tandem WAR node: Jetty 12.1 with the stock Infinispan session store, clustered the same way as
the fat jar (etc/infinispan.xml is the jar's tandem-infinispan.xml). Per-node values live in
start.d/tandem-node.ini, written by bin/tandem-jetty-base.

[tags]
tandem

[depend]
server
http
# X-Forwarded-Proto from the balancer makes session cookies Secure behind TLS. Unlike the fat jar's
# --trusted-proxies, Jetty believes any sender here: keep app nodes reachable only from the balancers.
forwarded
ee10-deploy
graceful
sessions
session-cache-null
session-store-infinispan-embedded

[files]
# Jetty 12.1's InfinispanSessionDataStore serializes attributes for the cluster only when it can
# load the Hot Rod client class, even with serialization=true; without this jar every clustered
# session write fails ("A required field cannot be null: ...attributes"). Only the class is needed.
maven://org.infinispan/infinispan-client-hotrod/15.2.6.Final|lib/infinispan/infinispan-client-hotrod-15.2.6.Final.jar

[exec]
# JGroups on IPv4, as the fat jar does.
-Djava.net.preferIPv4Stack=true
# Jetty reads session attributes with a plain ObjectInputStream: only these classes may come back.
-Djdk.serialFilter=maxdepth=20;maxrefs=100000;maxbytes=4194304;maxarray=1048576;java.lang.String;java.lang.Boolean;java.lang.Character;java.lang.Number;java.lang.Integer;java.lang.Long;java.lang.Short;java.lang.Byte;java.lang.Double;java.lang.Float;java.lang.Enum;java.math.BigInteger;java.math.BigDecimal;java.util.UUID;java.time.Ser;java.util.ArrayList;java.util.LinkedList;java.util.HashMap;java.util.LinkedHashMap;java.util.TreeMap;java.util.HashSet;java.util.LinkedHashSet;java.util.TreeSet;java.util.Collections$*;java.util.ImmutableCollections$*;java.util.Map$Entry;java.util.AbstractMap$SimpleEntry;java.util.AbstractMap$SimpleImmutableEntry;!*

[ini]
# Attributes travel as one serialized blob through Jetty's ProtoStream marshaller.
jetty.session.infinispan.serialization=true
# No per-node copy: every request loads the latest acknowledged state, whichever node wrote it.
jetty.session.saveOnCreate=true
# The response is sent only after the session write is stored and replicated.
jetty.session.flushOnResponseCommit=true
# Unreadable data (refused by the serial filter) is removed instead of failing every request.
jetty.session.removeUnloadableSessions=true
# Access-time-only writes at most every 30 s, made before the response by SessionTouchFilter.
jetty.session.savePeriod.seconds=30
# Graceful stop: in-flight requests get this long to finish.
jetty.server.stopTimeout?=30000
# Do not advertise the server version.
jetty.httpConfig.sendServerVersion=false
