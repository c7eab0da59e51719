/**
 * Rank sweeps: the grid of runs ({@link org.lottalora.core.sweep.SweepConfig}), each run a self-contained task
 * ({@link org.lottalora.core.sweep.RunSpec} in, {@link org.lottalora.core.sweep.RunResult} out), the sweep
 * folder that makes a killed sweep resumable ({@link org.lottalora.core.sweep.SweepStore}), the intrinsic
 * dimension r*(eps) ({@link org.lottalora.core.sweep.IntrinsicDimension}) and the reports.
 */
package org.lottalora.core.sweep;
