package dev.tandem.api;

import org.glassfish.jersey.server.ResourceConfig;

/**
 * A part of the API built on this package from outside it (the real-time API, the lab dashboard):
 * it registers its resources and filters on the application {@link ApiApplication} builds.
 */
@FunctionalInterface
public interface ApiModule {
    void register(ResourceConfig rc);
}
