package dev.tandem.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A test class that mostly waits (a timeout, a failure detection) on nodes of its own in this JVM,
 * and so runs beside the other tests (junit-platform.properties). Its nodes need names no other test
 * uses: a node's Infinispan JMX domain is its name, and a second node of that name in the JVM does
 * not start. It holds {@link #NODE_THREADS} for reading, so a test that counts the JVM's node threads
 * (holding it for writing) never counts its nodes'.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(value = BesideOtherTests.NODE_THREADS, mode = ResourceAccessMode.READ)
public @interface BesideOtherTests {
    /** The JUnit resource lock on this JVM's node threads. */
    String NODE_THREADS = "dev.tandem.node-threads";
}
