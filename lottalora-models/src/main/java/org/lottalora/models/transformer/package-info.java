/**
 * Transformer building blocks on plain arrays (issue 4, started): multi-head self-attention with an adapter on each
 * of W_Q, W_K, W_V, W_O, causal or full, optional RoPE, with a KV cache; RMSNorm; SwiGLU MLP (adapted or frozen
 * random); the LLaMA-style pre-norm decoder block; a byte-level language model (tied trained embedding) with
 * loss, gradients and cached or uncached generation. No training loop over a corpus, presets, ViT, sequence
 * classifier, artifact or CLI yet.
 */
package org.lottalora.models.transformer;
