package org.lottalora.models.decision;

import org.lottalora.core.backbone.Draws;

/** A behaviour policy: an action for an observation, any randomness drawn from the given {@link Draws}. */
@FunctionalInterface
public interface Policy {
  /** The action for observation {@code state}. */
  float[] act(float[] state, Draws draws);
}
