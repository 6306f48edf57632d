package dev.ferry.schema;

/** How Kafka keeps a topic's records: by age ({@code delete}) or by key ({@code compact}). */
public enum CleanupPolicy {
    DELETE("delete"),
    COMPACT("compact");

    private final String configValue;

    CleanupPolicy(String configValue) {
        this.configValue = configValue;
    }

    /** The value of the topic config {@code cleanup.policy}. */
    public String configValue() {
        return configValue;
    }
}
