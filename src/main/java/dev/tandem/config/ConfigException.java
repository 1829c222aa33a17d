package dev.tandem.config;

/** A setting that cannot be used: names the option and says why, so start-up can stop with a clear line. */
public final class ConfigException extends RuntimeException {
    private final String option;

    public ConfigException(String option, String reason) {
        super("invalid " + option + ": " + reason);
        this.option = option;
    }

    public String option() {
        return option;
    }
}
