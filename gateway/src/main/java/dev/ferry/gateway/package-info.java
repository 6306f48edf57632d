/**
 * The virtual node: registers Node and Lease objects, turns pods bound to the node into
 * {@code PodIntent} events and applies {@code PodStatusEvent}s back to the pods.
 * Built in the gateway issue; this module exists now so the reactor has its final shape.
 */
package dev.ferry.gateway;
