/**
 * Transformer building blocks on plain arrays (issue 4, started): multi-head self-attention with an adapter on each
 * of W_Q, W_K, W_V, W_O, causal or full, optional RoPE, with a KV cache; RMSNorm; SwiGLU MLP (adapted or frozen
 * random). No decoder block, family, training loop, language model or CLI yet.
 */
package org.lottalora.models.transformer;
