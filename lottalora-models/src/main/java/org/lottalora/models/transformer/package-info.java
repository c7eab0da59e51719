/**
 * Transformers over frozen random scaffolds, on the hand-written engine: multi-head self-attention with W_Q, W_K, W_V,
 * W_O each adapted, trained in full or frozen ({@link org.lottalora.models.transformer.Targets}), causal and padding
 * masks, RoPE and a KV cache; RMSNorm and LayerNorm; SwiGLU and GELU MLPs; decoder and encoder blocks. Three
 * families on them: the byte-level LLaMA-style language model ({@code ByteLm}, presets, {@code LmTrainer} with
 * checkpoints, {@code LmModel}), the Vision Transformer ({@code Vit}, {@code VitModel}) and the text classifier
 * ({@code TextClassifier}, {@code TextCsv}, {@code TextModel}). Every gradient is tested against finite differences.
 */
package org.lottalora.models.transformer;
