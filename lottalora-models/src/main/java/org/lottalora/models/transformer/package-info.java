/**
 * Transformer building blocks on plain arrays (issue 4, started): multi-head self-attention with an adapter on each
 * of W_Q, W_K, W_V, W_O, causal or full, with a KV cache; RMSNorm; rotary position embedding. No family, training
 * loop, language model or CLI yet.
 */
package org.lottalora.models.transformer;
