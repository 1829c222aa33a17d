# DO NOT EDIT the serial filter below by hand: SessionSerialFilter.pattern("") must equal it
# (JettyBaseTemplateTest checks).

[description]
A Tandem WAR node: Jetty 12.1 with the fat jar's own session layer (module tandem-sessions: the
cluster locks, fenced store and handler of dev.tandem.session),
clustered the same way as the fat jar (etc/infinispan.xml is the jar's tandem-infinispan.xml).
Per-node values live in start.d/tandem-node.ini, written by bin/tandem-jetty-base.

[tags]
tandem

[depend]
server
http
ee10-deploy
graceful
sessions
tandem-infinispan-libs
tandem-sessions
tandem-overload

[exec]
# JGroups on IPv4, as the fat jar does.
-Djava.net.preferIPv4Stack=true
# Jetty reads session attributes with a plain ObjectInputStream: only these classes may come back.
-Djdk.serialFilter=maxdepth=20;maxrefs=100000;maxbytes=4194304;maxarray=1048576;java.lang.String;java.lang.Boolean;java.lang.Character;java.lang.Number;java.lang.Integer;java.lang.Long;java.lang.Short;java.lang.Byte;java.lang.Double;java.lang.Float;java.lang.Enum;java.math.BigInteger;java.math.BigDecimal;java.util.UUID;java.time.Ser;java.util.ArrayList;java.util.LinkedList;java.util.HashMap;java.util.LinkedHashMap;java.util.TreeMap;java.util.HashSet;java.util.LinkedHashSet;java.util.TreeSet;java.util.Collections$*;java.util.ImmutableCollections$*;java.util.Map$Entry;java.util.AbstractMap$SimpleEntry;java.util.AbstractMap$SimpleImmutableEntry;!*

[ini]
# Graceful stop: in-flight requests get this long to finish.
jetty.server.stopTimeout?=30000
# Do not advertise the server version.
jetty.httpConfig.sendServerVersion=false
