package dev.ferry.gateway.status;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Kubernetes' two time formats, as the strings fabric8's model holds. */
final class KubeTime {

    private static final DateTimeFormatter MICRO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private KubeTime() {
    }

    /** {@code metav1.Time}: RFC 3339 in UTC, whole seconds (what the API server stores anyway); null stays null. */
    static String time(Instant instant) {
        return instant == null ? null : DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** {@code metav1.MicroTime}: RFC 3339 in UTC with six fraction digits. */
    static String microTime(Instant instant) {
        return MICRO.format(instant.truncatedTo(ChronoUnit.MICROS));
    }
}
