/**
 * The executor runtime every site runs: consumes its site's jobs, drives a backend through a
 * small SPI, reconciles after restarts and publishes status, logs and pool adverts.
 * Built in the executor issue.
 */
package dev.ferry.executor;
