/**
 * The virtual node itself: what the Node object shows ({@link dev.ferry.gateway.node.VirtualNodes}, pure), the
 * pools' summed capacity ({@link dev.ferry.gateway.node.PoolCapacity}), keeping the Node and its Lease alive
 * ({@link dev.ferry.gateway.node.NodeKeeper}), and choosing the one gateway replica that acts for a node
 * ({@link dev.ferry.gateway.node.NodeLeadership}).
 */
package dev.ferry.gateway.node;
