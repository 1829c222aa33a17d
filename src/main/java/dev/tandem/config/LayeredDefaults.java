package dev.tandem.config;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Supplies an option's value when the command line does not: first {@code TANDEM_<NAME>} from the
 * environment, then the --config file, then the annotation's default.
 */
final class LayeredDefaults implements IDefaultValueProvider {
    private final Map<String, String> env;
    private final Properties file;

    LayeredDefaults(Map<String, String> env, Properties file) {
        this.env = env;
        this.file = file;
    }

    static String envName(String option) {
        return "TANDEM_" + bare(option).toUpperCase(Locale.ROOT).replace('-', '_');
    }

    static String bare(String option) {
        return option.replaceFirst("^--", "");
    }

    /** Where a value for the option would come from when the command line does not give it, or null. */
    String origin(String option) {
        if (env.containsKey(envName(option))) {
            return envName(option);
        }
        return file.containsKey(bare(option)) ? "the --config file" : null;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()
                || NodeOptions.QUESTIONS.contains(option.longestName())) {
            return arg.defaultValue();
        }
        String name = option.longestName();
        String fromEnv = env.get(envName(name));
        if (fromEnv != null) {
            return fromEnv;
        }
        String fromFile = file.getProperty(bare(name));
        if (fromFile != null) {
            return fromFile.trim();
        }
        return arg.defaultValue();
    }
}
