/**
 * Status → pod: applies {@code PodStatusEvent}s to the pods in the Kubernetes API and records the router's
 * {@code RoutingDecision}s as pod events.
 *
 * <p>{@link dev.ferry.gateway.status.StatusOrder} and {@link dev.ferry.gateway.status.PodStatusMapper} are pure;
 * {@link dev.ferry.gateway.status.StatusWriter} and {@link dev.ferry.gateway.status.DecisionEvents} talk to the API.
 */
package dev.ferry.gateway.status;
