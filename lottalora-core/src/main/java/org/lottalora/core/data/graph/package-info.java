/**
 * Graphs for the graph family: the sparse {@link org.lottalora.core.data.graph.Graph} record, a seeded
 * stochastic block model (node classification), a seeded graph-classification set, and readers for graphs on
 * disk (CSV files, the LINQS Cora files).
 */
package org.lottalora.core.data.graph;
