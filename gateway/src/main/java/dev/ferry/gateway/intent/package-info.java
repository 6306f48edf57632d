/**
 * From a pod bound to the virtual node to the {@code PodIntent} the router reads: what a site
 * cannot provide ({@link dev.ferry.gateway.intent.PodSupport}), the ConfigMaps and Secrets the pod
 * refers to ({@link dev.ferry.gateway.intent.ReferenceResolver}, the only class here that does I/O),
 * sealing Secret data ({@link dev.ferry.gateway.intent.Sealer}) and the intent itself
 * ({@link dev.ferry.gateway.intent.PodIntents}, pure).
 */
package dev.ferry.gateway.intent;
