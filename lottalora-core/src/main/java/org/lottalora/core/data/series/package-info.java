/**
 * Time series for sequence models and reservoirs: the {@link org.lottalora.core.data.series.TimeSeries}
 * record, seeded generators of the chaotic benchmarks (Mackey-Glass, Lorenz) and a CSV reader.
 */
package org.lottalora.core.data.series;
