package io.nightshift.api.config;

/** A configuration value is missing or wrong; the message names the key and what is allowed. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
