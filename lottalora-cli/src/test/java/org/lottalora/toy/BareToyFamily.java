package org.lottalora.toy;

import java.util.Map;
import java.util.Optional;
import org.lottalora.format.ArtifactFile;

/**
 * The toy family without an evaluation of its own (the contract's default): {@code lottalora eval} must refuse its
 * artifacts in one line rather than fail on them.
 */
public final class BareToyFamily extends ToyFamily {
  @Override
  public String id() {
    return "bare";
  }

  @Override
  public String description() {
    return "bare toy: the toy family without evaluate";
  }

  @Override
  public Optional<Map<String, Double>> evaluate(ArtifactFile f, String where) {
    return Optional.empty();
  }
}
