package dev.ferry.loadtest.router;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The requests the embedded broker handled between {@link #start} and {@link #report}, per request type and second
 * (its {@code kafka.network:type=RequestMetrics,name=RequestsPerSec} meters, read over JMX: the broker runs in this
 * JVM). Empty for a broker elsewhere.
 */
final class BrokerRequests {

    private final CounterRates rates;

    private BrokerRequests(CounterRates rates) {
        this.rates = rates;
    }

    static BrokerRequests start() {
        return new BrokerRequests(CounterRates.start(BrokerRequests::counts));
    }

    /** "Produce 1204/s, Fetch 3310/s, …", busiest first; types under 1/s left out. */
    String report() {
        Map<String, Double> perSecond = rates.perSecond();
        if (perSecond.isEmpty()) {
            return "not seen (the broker is not in this JVM)";
        }
        return perSecond.entrySet().stream().filter(e -> e.getValue() >= 1)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, "%s %.0f/s", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    private static Map<String, Long> counts() {
        Map<String, Long> counts = new HashMap<>();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            for (ObjectName name : server.queryNames(
                    new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,*"), null)) {
                String request = name.getKeyProperty("request");
                if (request != null && server.getAttribute(name, "Count") instanceof Number count) {
                    counts.merge(request, count.longValue(), Long::sum);
                }
            }
        } catch (JMException e) {
            return Map.of();
        }
        return counts;
    }
}
