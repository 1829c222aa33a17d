package dev.tandem.config;

import picocli.CommandLine.IVersionProvider;

/** --version for picocli. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"tandem " + BuildVersion.current()};
    }
}
