/**
 * Graph networks over frozen random scaffolds: GCN for node classification ({@link
 * org.lottalora.models.graph.GcnNetwork}) and GIN for graph classification ({@link
 * org.lottalora.models.graph.GinNetwork}), adapters on every message-passing linear, trained by hand on plain arrays
 * over sparse rows; {@link org.lottalora.models.graph.GraphData} names generated or on-disk data and
 * {@link org.lottalora.models.graph.GraphModel} trains, predicts, saves and loads. {@code GcnAggregation} also has a
 * SameDiff form (forward only: M2.1's gather gradient is wrong for repeated indices).
 */
package org.lottalora.models.graph;
