/**
 * Adapters on any SameDiff graph: a user's own graph, built in code or imported from ONNX, has chosen 2-D
 * weights rewritten into {@code beta * W_base + s * B A} (W_base regenerated from a seed, or the graph's own
 * weights kept frozen), is trained by SameDiff's own {@code fit}, saved as a {@code .lotta} artifact without its
 * base weights, reloaded, and exported merged as a plain SameDiff file. With adapter dropout (PEFT's
 * {@code lora_dropout}) the low-rank part of each matrix product runs in activation space on a masked input while
 * training; the masks are placeholders fed from the project's seeded generator, and ones at inference.
 */
package org.lottalora.models.adapt;
