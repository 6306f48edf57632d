package dev.ferry.schema;

/** A configuration value is missing or wrong; the message names the key and what to write instead. */
public class ConfigException extends IllegalArgumentException {
    private final String key;

    public ConfigException(String key, String message) {
        super(key + ": " + message);
        this.key = key;
    }

    /** The configuration key that is wrong. */
    public String key() {
        return key;
    }
}
