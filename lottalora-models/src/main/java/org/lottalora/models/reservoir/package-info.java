/**
 * Reservoir computing next to LottaLoRA, on the same seeded generator and artifact: echo state networks
 * ({@link org.lottalora.models.reservoir.EchoStateNetwork}: spectral radius exact or by Arnoldi
 * ({@link org.lottalora.models.reservoir.SpectralRadius}), leaky tanh layers, deep stacks, feedback, Gaussian or
 * ReservoirPy-style +-1 input weights, ridge or RLS readouts with optional noise injection, closed-loop
 * generation), the free-running forecast protocol with NRMSE at a horizon and valid time
 * ({@link org.lottalora.models.reservoir.FreeRun}), the differentiating-neuron ring-oscillator
 * reservoir ({@link org.lottalora.models.reservoir.RingReservoir}), low-rank adapters on a reservoir's
 * recurrent matrix trained by BPTT ({@link org.lottalora.models.reservoir.ReservoirAdapterTrainer}), training
 * and evaluation flows ({@link org.lottalora.models.reservoir.ReservoirTrainer}), hyperparameter search
 * ({@link org.lottalora.models.reservoir.HyperSearch}) and the shipped model
 * ({@link org.lottalora.models.reservoir.ReservoirModel}).
 */
package org.lottalora.models.reservoir;
