/**
 * The virtual node's kubelet log endpoint: {@code GET /containerLogs/{namespace}/{pod}/{container}}, which the API
 * server proxies {@code pods/log} (and so {@code kubectl logs}) to. {@link dev.ferry.gateway.logs.KubeletLogServer}
 * speaks HTTP and applies the kubelet's query options; a {@link dev.ferry.gateway.logs.LogSource} supplies the lines,
 * in production {@link dev.ferry.gateway.logs.KafkaLogSource}, which reads the executors' {@code LogChunk}s back from
 * {@code pod-logs}.
 */
package dev.ferry.gateway.logs;
