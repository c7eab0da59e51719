package org.lottalora.models.adapt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;

/**
 * Which weights of a graph get adapters: every 2-D weight that feeds a matrix product (the default, PEFT's
 * "all-linear"), exact variable names, or a pattern. A rule is parsed from the text a user types:
 * {@code matmul} for the first, a comma-separated list of names, and names with {@code *} or {@code ?} as
 * globs, or {@code re:<regex>} for a regular expression over the whole name. Only weights qualify: variables
 * and constants that hold an array, never placeholders or computed activations.
 */
public final class TargetRule {
  private final String text;
  private final boolean matmul;
  private final List<Pattern> patterns;
  private final List<String> parts;

  private TargetRule(String text, boolean matmul, List<Pattern> patterns, List<String> parts) {
    this.text = text;
    this.matmul = matmul;
    this.patterns = patterns;
    this.parts = parts;
  }

  /** Every 2-D weight that is an operand of a matrix product. */
  public static TargetRule matmulWeights() {
    return new TargetRule("matmul", true, List.of(), List.of());
  }

  /** These exact variable names. */
  public static TargetRule names(String... names) {
    List<Pattern> ps = new ArrayList<>();
    for (String n : names) {
      ps.add(Pattern.compile(Pattern.quote(n)));
    }
    return new TargetRule(String.join(",", names), false, ps, List.of(names));
  }

  /** Variables whose whole name matches the regular expression. */
  public static TargetRule regex(String regex) {
    try {
      return new TargetRule("re:" + regex, false, List.of(Pattern.compile(regex)), List.of("re:" + regex));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("target rule 're:" + regex + "' is not a valid regular expression: "
          + e.getDescription());
    }
  }

  /**
   * Parses {@code matmul}, {@code re:<regex>}, or a comma-separated list of names and globs ({@code *} any run of
   * characters, {@code ?} one).
   */
  public static TargetRule parse(String text) {
    String t = text == null ? "" : text.strip();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("the target rule is empty; give 'matmul', variable names or 're:<regex>'");
    }
    if (t.equals("matmul")) {
      return matmulWeights();
    }
    if (t.startsWith("re:")) {
      return regex(t.substring(3));
    }
    List<Pattern> ps = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (String part : t.split(",")) {
      String p = part.strip();
      if (p.isEmpty()) {
        continue;
      }
      texts.add(p);
      StringBuilder re = new StringBuilder();
      for (String chunk : p.split("(?=[*?])|(?<=[*?])")) {
        re.append(chunk.equals("*") ? ".*" : chunk.equals("?") ? "." : Pattern.quote(chunk));
      }
      ps.add(Pattern.compile(re.toString()));
    }
    return new TargetRule(t, false, ps, texts);
  }

  /** The rule as the user wrote it (recorded in reports). */
  @Override
  public String toString() {
    return text;
  }

  /**
   * The variables of {@code sd} this rule selects, in the graph's variable order.
   *
   * @throws IllegalArgumentException naming the rule and the candidate weights when nothing matches, or naming
   *     a matched variable that is not a weight
   */
  public List<String> select(SameDiff sd) {
    Set<String> out = new LinkedHashSet<>();
    boolean[] used = new boolean[patterns.size()];
    for (SDVariable v : sd.variables()) {
      String name = v.name();
      if (matmul) {
        if (isWeight(v) && v.getShape() != null && v.getShape().length == 2 && feedsMatmul(sd, name)) {
          out.add(name);
        }
        continue;
      }
      for (int i = 0; i < patterns.size(); i++) {
        Pattern p = patterns.get(i);
        if (p.matcher(name).matches()) {
          used[i] = true;
          if (!isWeight(v)) {
            throw new IllegalArgumentException("target '" + name + "' is a " + describe(v) + ", not a weight; "
                + "name a variable or constant that holds an array (candidates: " + candidates(sd) + ")");
          }
          out.add(name);
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("target rule '" + text + "' matched no weight of the graph; candidates: "
          + candidates(sd));
    }
    for (int i = 0; i < used.length; i++) {
      if (!used[i]) { // a typo in a list would otherwise leave that layer silently without an adapter
        throw new IllegalArgumentException("target rule '" + text + "': part '" + parts.get(i) + "' matched no "
            + "weight of the graph; candidates: " + candidates(sd));
      }
    }
    return new ArrayList<>(out);
  }

  /** The 2-D weights of a graph with their shapes, as a short list for error messages. */
  static String candidates(SameDiff sd) {
    List<String> c = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (isWeight(v) && v.getShape() != null && v.getShape().length == 2) {
        c.add(v.name() + " " + Arrays.toString(v.getShape()));
      }
    }
    if (c.isEmpty()) {
      return "none (the graph has no 2-D weights)";
    }
    return c.size() <= 12 ? String.join(", ", c) : String.join(", ", c.subList(0, 12)) + " and " + (c.size() - 12)
        + " more";
  }

  static boolean isWeight(SDVariable v) {
    return (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT)
        && v.dataType().isFPType();
  }

  private static String describe(SDVariable v) {
    return switch (v.getVariableType()) {
      case PLACEHOLDER -> "placeholder (an input)";
      case ARRAY -> "computed activation";
      default -> v.getVariableType().toString().toLowerCase() + " of type " + v.dataType();
    };
  }

  static boolean feedsMatmul(SameDiff sd, String name) {
    List<String> consumers = sd.getVariables().get(name).getInputsForOp();
    if (consumers == null) {
      return false;
    }
    for (String op : consumers) {
      SameDiffOp o = sd.getOps().get(op);
      if (o != null && o.getOp() instanceof Mmul) {
        return true;
      }
    }
    return false;
  }
}
