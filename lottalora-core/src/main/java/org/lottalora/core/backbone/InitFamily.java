package org.lottalora.core.backbone;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The 22 init families of the LottaLoRA paper's Table 13, each defined exactly on top of a tensor's
 * {@link Stream}. {@code lottalora-core/docs/backbone-stream.md} is the normative text; this enum is its implementation.
 *
 * <p>Notation: {@code U_k(i)} is {@link Stream#uniform} of word i of aux stream k, {@code Z_k(i)} pair value
 * i of aux stream k (k = 0 is the tensor's own stream), {@code f = 1/sqrt(fan_in)} when the family's
 * {@code fanin} parameter is 1 and 1 otherwise. Element i is row-major in the canonical layout. Every family
 * except {@link #ORTHOGONAL} and {@link #SPECTRAL_RADIUS} is element-local: element i depends on index i
 * only. The two global ones need the whole matrix.
 */
public enum InitFamily {
  /** {@code sigma * f * Z_0(i)}. */
  NORMAL("normal", "sigma", 1, "fanin", 1),
  /** {@code sigma * f * Z_k(i)} for the first k in 0..63 with {@code |Z_k(i)| <= bound}; 0 if none. */
  TRUNCATED_NORMAL("truncated_normal", "sigma", 1, "bound", 2, "fanin", 1),
  /** {@code a * f * (2 U_0(i) - 1)}. */
  UNIFORM("uniform", "a", 1, "fanin", 1),
  /** Modified Gram-Schmidt on a normal matrix, times {@code gain}; see the spec. */
  ORTHOGONAL("orthogonal", "gain", 1),
  /** {@code sqrt(2 / (1 + a^2)) / sqrt(fan_in) * Z_0(i)}. */
  KAIMING_NORMAL("kaiming_normal", "a", 0),
  /** {@code sqrt(2 / (1 + a^2)) * sqrt(3 / fan_in) * (2 U_0(i) - 1)}. */
  KAIMING_UNIFORM("kaiming_uniform", "a", Math.sqrt(5)),
  /** {@code gain * sqrt(2 / (fan_in + fan_out)) * Z_0(i)}. */
  XAVIER_NORMAL("xavier_normal", "gain", 1),
  /** {@code gain * sqrt(6 / (fan_in + fan_out)) * (2 U_0(i) - 1)}. */
  XAVIER_UNIFORM("xavier_uniform", "gain", 1),
  /** A fan-in normal matrix rescaled to spectral radius {@code rho}; see the spec. */
  SPECTRAL_RADIUS("spectral_radius", "rho", 0.95),
  /** {@code clamp(s * tan(pi (U_0(i) - 0.5)), -clip s, clip s)}. */
  CAUCHY("cauchy", "s", 0.1, "clip", 10),
  /** {@code -b * sign(u) * ln(1 - 2|u|)} with {@code u = U_0(i) - 0.5}. */
  LAPLACE("laplace", "b", 0.1),
  /** {@code f * Z_0(i) / sqrt(sum_{k=1..nu} Z_k(i)^2 / nu)}, integer nu in 1..30. */
  STUDENT_T("student_t", "nu", 3, "fanin", 1),
  /** {@code (U_1(i) < p ? sigma2 : sigma1) * Z_0(i)}. */
  GAUSSIAN_MIXTURE("gaussian_mixture", "p", 0.1, "sigma1", 0.05, "sigma2", 0.5),
  /** {@code U_1(i) < p ? sigma * f * Z_0(i) : 0}. */
  SPARSE_NORMAL("sparse_normal", "p", 0.2, "sigma", 1, "fanin", 1),
  /** {@code U_0(i) < p ? f : 0}: the adjacency of an Erdos-Renyi graph. */
  SPARSE_ERDOS_RENYI("sparse_erdos_renyi", "p", 0.2, "fanin", 1),
  /** {@code lo + (hi - lo) * median(U_0(i), U_1(i), U_2(i))}: the median of three uniforms is Beta(2,2). */
  BETA("beta", "lo", -0.1, "hi", 0.1),
  /** {@code -ln(U_0(i)) / lambda - 1 / lambda}: exponential, centred. */
  EXPONENTIAL("exponential", "lambda", 10),
  /** 16-bit mid-rise quantised {@code Z_0(i)} over [-clip, clip], times f. */
  QUANTIZED16("quantized16", "clip", 3, "fanin", 1),
  /** 8-bit mid-rise quantised {@code Z_0(i)} over [-clip, clip], times f. */
  QUANTIZED8("quantized8", "clip", 3, "fanin", 1),
  /** 4-bit mid-rise quantised {@code Z_0(i)} over [-clip, clip], times f. */
  QUANTIZED4("quantized4", "clip", 3, "fanin", 1),
  /** 2-bit mid-rise quantised {@code Z_0(i)} over [-clip, clip], times f. */
  QUANTIZED2("quantized2", "clip", 3, "fanin", 1),
  /** {@code Z_0(i) >= 0 ? f : -f}. */
  BINARY("binary", "fanin", 1),
  /**
   * Every value 0: no scaffold at all (the paper's "W_seed = 0" ablation, Table 2). Not one of the paper's 22
   * scaffold families; it draws nothing from the stream.
   */
  ZEROS("zeros");

  private final String id;
  private final Map<String, Double> defaults;

  InitFamily(String id, Object... kv) {
    this.id = id;
    Map<String, Double> d = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      d.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
    }
    this.defaults = Map.copyOf(d);
  }

  /** The lower-case id used on the command line, in the spec and in artifacts. */
  public String id() {
    return id;
  }

  /** Parameter names and their defaults, in declaration order. */
  public Map<String, Double> defaults() {
    Map<String, Double> ordered = new LinkedHashMap<>();
    for (String k : parameterNames()) {
      ordered.put(k, defaults.get(k));
    }
    return ordered;
  }

  /** Parameter names, sorted. */
  public String[] parameterNames() {
    String[] names = defaults.keySet().toArray(new String[0]);
    Arrays.sort(names);
    return names;
  }

  /** True for families whose element i depends on the whole tensor (no slice can be made alone). */
  public boolean isGlobal() {
    return this == ORTHOGONAL || this == SPECTRAL_RADIUS;
  }

  /** Bits of the quantised families, 0 for others. */
  int quantBits() {
    switch (this) {
      case QUANTIZED16: return 16;
      case QUANTIZED8: return 8;
      case QUANTIZED4: return 4;
      case QUANTIZED2: return 2;
      default: return 0;
    }
  }

  /**
   * Finds a family by id.
   *
   * @throws IllegalArgumentException naming the known ids when {@code id} is not one
   */
  public static InitFamily byId(String id) {
    String key = id.trim().toLowerCase(Locale.ROOT);
    for (InitFamily f : values()) {
      if (f.id.equals(key)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown init family '" + id + "'; known: " + knownIds());
  }

  /** All family ids, comma-separated. */
  public static String knownIds() {
    StringBuilder sb = new StringBuilder();
    for (InitFamily f : values()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(f.id);
    }
    return sb.toString();
  }
}
