/** Load generator and report (throughput, per-stage latency percentiles). Built in its own issue. */
package dev.ferry.loadtest;
