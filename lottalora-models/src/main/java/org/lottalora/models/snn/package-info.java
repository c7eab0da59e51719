/**
 * Spiking networks next to the adapter models, BindsNET-style: a clock-driven, batched simulator ({@link
 * org.lottalora.models.snn.Network}) of neuron layers ({@link org.lottalora.models.snn.Nodes}) and connections
 * ({@link org.lottalora.models.snn.Connection}) with learning rules, encoders and monitors; the Diehl and Cook,
 * LM-SNN and delay-learning networks ({@link org.lottalora.models.snn.SnnNetworks}); training ({@link
 * org.lottalora.models.snn.SnnTrainer}) and the artifact ({@link org.lottalora.models.snn.SnnArtifact}). Every
 * random choice draws from the project's counter-based generator ({@link org.lottalora.core.backbone.Draws}), so a
 * network is a function of its spec and seed until it learns, and a saved model reloads to the same spikes.
 */
package org.lottalora.models.snn;
