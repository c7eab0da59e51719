package org.lottalora.models.transformer;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.lottalora.core.adapter.AdapterConfig;
import org.lottalora.core.backbone.InitSpec;

/**
 * Named shapes of the byte-level LM. {@code tiny} and {@code small} train in minutes on 2 cores; {@code 3m} to
 * {@code 900m} follow the paper's language-model scales (Table 8). The issue gives only the 900M shape (34
 * layers, width 1664, 26 heads, SwiGLU 4608: 1.16 billion values with biases, the paper's 2,312 MB in fp16); the
 * others are our reading, a LLaMA-like width/depth progression sized to their names.
 *
 * @param name what {@code --preset} takes
 * @param width model width
 * @param heads attention heads
 * @param layers decoder blocks
 * @param hidden SwiGLU width
 * @param context longest sequence
 */
public record LmPreset(String name, int width, int heads, int layers, int hidden, int context) {
  private static final LmPreset[] ALL = {
      new LmPreset("tiny", 64, 4, 2, 172, 128),
      new LmPreset("small", 128, 4, 4, 344, 256),
      new LmPreset("3m", 256, 4, 4, 688, 512),
      new LmPreset("30m", 512, 8, 10, 1408, 1024),
      new LmPreset("300m", 1024, 16, 24, 2816, 1024),
      new LmPreset("600m", 1280, 20, 30, 3584, 1024),
      new LmPreset("900m", 1664, 26, 34, 4608, 1024),
  };

  /** Every preset, smallest first. */
  public static LmPreset[] all() {
    return ALL.clone();
  }

  /**
   * The preset called {@code name} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the valid presets when there is none
   */
  public static LmPreset of(String name) {
    for (LmPreset p : ALL) {
      if (p.name.equalsIgnoreCase(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("no LM preset '" + name + "'; valid presets: "
        + Arrays.stream(ALL).map(LmPreset::name).collect(Collectors.joining(", ")));
  }

  /** The model spec of this shape with the given seed, init and adapters. */
  public ByteLm.Spec spec(long seed, InitSpec init, AdapterConfig adapter, Targets targets) {
    return new ByteLm.Spec(width, heads, layers, hidden, context, seed, init, adapter, targets);
  }

  /** One line: shape and size. */
  public String describe() {
    long n = spec(0, InitSpec.DEFAULT, AdapterConfig.defaults(1), Targets.LM).modelValues();
    return String.format(Locale.ROOT, "%-6s %2d layers, width %4d, %2d heads, SwiGLU %4d, context %4d: %,d values",
        name, layers, width, heads, hidden, context, n);
  }
}
