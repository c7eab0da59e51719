/**
 * The graph family's building blocks (work in progress for the graph-family issue): sparse GCN propagation on
 * SameDiff. Layers with adapters, GIN, training and the CLI are not here yet.
 */
package org.lottalora.models.graph;
