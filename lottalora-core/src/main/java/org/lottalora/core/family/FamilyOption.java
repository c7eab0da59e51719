package org.lottalora.core.family;

/**
 * One setting a family takes, named as its command-line option without the dashes ({@code steps} for
 * {@code --steps}), with the text of its default (null: the user must give it) and one line of help.
 *
 * @param name the option's name, lower case, words joined by '-'
 * @param defaultText its default as text, or null when it has none
 * @param help one line for {@code --help} and the family listing
 */
public record FamilyOption(String name, String defaultText, String help) {
  /** Checks the name. */
  public FamilyOption {
    if (name == null || !name.matches("[a-z][a-z0-9-]*")) {
      throw new IllegalArgumentException("option names are lower case words joined by '-', got '" + name + "'");
    }
  }

  /** The shared training settings every {@link org.lottalora.core.sweep.RunSpec} carries as fields. */
  public static final java.util.List<String> SHARED = java.util.List.of("dataset", "split-seed", "max-train",
      "widths", "epochs", "batch", "lr", "wd");
}
