/**
 * The Kafka Streams router: matches pod intents to resource pools, reserves capacity,
 * queues, cancels and records every decision. Built in the router issue.
 */
package dev.ferry.router;
