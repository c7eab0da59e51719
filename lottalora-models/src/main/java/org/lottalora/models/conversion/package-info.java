/**
 * ANN-to-SNN conversion (Diehl et al. 2015, Rueckauer et al. 2017): a trained ReLU model of the toolkit (MLP or
 * linear, adapters merged; Plain-N CNN with BatchNorm folded) becomes a rate-coded network of integrate-and-fire
 * neurons with data-based weight normalisation, biases as constant currents and reset by subtraction or to zero
 * ({@link org.lottalora.models.conversion.AnnToSnn} is the entry point). Its own package because it bridges the
 * adapter families ({@code LottaModel}, {@code MergedModel}) and the spiking simulator ({@code models.snn}), which
 * depends on core and format only.
 */
package org.lottalora.models.conversion;
