/**
 * The executor runtime every site runs: consumes its own site's {@code jobs.<site>} topic,
 * drives a {@link dev.ferry.executor.spi.Backend}, reconciles after restarts, and publishes pod
 * status, logs and pool adverts. {@link dev.ferry.executor.ExecutorRuntime} is the loop;
 * {@link dev.ferry.executor.Executor} wires it to Kafka from a
 * {@link dev.ferry.executor.config.SiteConfig}. Pure logic sits in {@code model}, the backend
 * SPI in {@code spi}, Kafka adapters in {@code kafka}.
 */
package dev.ferry.executor;
