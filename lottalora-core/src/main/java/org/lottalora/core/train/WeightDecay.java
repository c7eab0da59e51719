package org.lottalora.core.train;

/**
 * The one weight-decay rule of every family and both optimizers ({@code AdamW} of {@code lottalora train}'s dense
 * and SameDiff paths, {@code engine.Adam} of the hand-written engines): decoupled decay ({@code p -= lr * wd * p},
 * as PyTorch's AdamW) applies to a trained tensor exactly when it is a weight matrix a product applies, recognised
 * by its name: {@code *.weight} (heads, fully trained layers and kernels, a ViT's patch projection) and the adapter
 * factors {@code *.lora_A} and {@code *.lora_B} (decaying them pulls the update B A towards zero, towards the
 * scaffold itself). Everything else is never decayed, each for a reason: a {@code *.beta} scales the whole frozen
 * seed matrix and a DoRA magnitude {@code *.dora_m} starts at the seed's row norms, so decay would pull them towards
 * switching the scaffold off rather than towards a simpler model; biases, norm gains and shifts ({@code *.bias},
 * {@code *.gain}, {@code *.ln.*}, {@code *.bn.*}) are few values that set offsets and scales, where decay only
 * rescales activations (the common practice of PEFT's and nanoGPT's trainers); embeddings and learned positions
 * ({@code tok.embedding}, {@code pos}, {@code cls}) are lookup tables whose rows see gradient only when their token
 * occurs, so decay would shrink rare rows towards zero whatever the data say (minGPT keeps them undecayed too).
 */
public final class WeightDecay {
  private WeightDecay() {
  }

  /** True if decoupled weight decay applies to the trained tensor named {@code tensorName} (see the class). */
  public static boolean appliesTo(String tensorName) {
    return tensorName.endsWith(".weight") || tensorName.endsWith(".lora_A") || tensorName.endsWith(".lora_B");
  }
}
