/**
 * Reservoir computing next to LottaLoRA, on the same seeded generator and artifact: echo state networks
 * ({@link org.lottalora.models.reservoir.EchoStateNetwork}: exact spectral radius, leaky tanh layers, deep
 * stacks, feedback, ridge or RLS readouts, closed-loop generation), the differentiating-neuron ring-oscillator
 * reservoir ({@link org.lottalora.models.reservoir.RingReservoir}), low-rank adapters on a reservoir's
 * recurrent matrix trained by BPTT ({@link org.lottalora.models.reservoir.ReservoirAdapterTrainer}), training
 * and evaluation flows ({@link org.lottalora.models.reservoir.ReservoirTrainer}), hyperparameter search
 * ({@link org.lottalora.models.reservoir.HyperSearch}) and the shipped model
 * ({@link org.lottalora.models.reservoir.ReservoirModel}).
 */
package org.lottalora.models.reservoir;
