package dev.ferry.loadtest.router;

import org.HdrHistogram.Histogram;

/**
 * One measurement: what got through per second and the latency distribution (milliseconds).
 *
 * @param throughput records (or intents) delivered per second
 * @param p50Ms      median latency
 * @param p90Ms      90th percentile
 * @param p99Ms      99th percentile
 * @param p999Ms     99.9th percentile
 * @param maxMs      the largest latency
 * @param samples    latencies recorded
 */
record Result(double throughput, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs, long samples) {

    /** From a histogram of microseconds. */
    static Result of(double throughput, Histogram micros) {
        return new Result(throughput, ms(micros.getValueAtPercentile(50)), ms(micros.getValueAtPercentile(90)),
                ms(micros.getValueAtPercentile(99)), ms(micros.getValueAtPercentile(99.9)), ms(micros.getMaxValue()),
                micros.getTotalCount());
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
