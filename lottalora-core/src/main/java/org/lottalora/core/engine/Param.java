package org.lottalora.core.engine;

/** A trained array of a hand-written engine, with its gradient and Adam moments (all the same length). */
public final class Param {
  /** Stable tensor name, as the artifact stores it. */
  public final String name;
  /** Values. */
  public final float[] v;
  /** Gradient of the last backward pass. */
  public final float[] g;
  /** Adam's first moment (checkpoints save and restore it). */
  public final float[] m;
  /** Adam's second moment. */
  public final float[] s;

  /** A parameter named {@code name} holding {@code v} (not copied). */
  public Param(String name, float[] v) {
    this.name = name;
    this.v = v;
    this.g = new float[v.length];
    this.m = new float[v.length];
    this.s = new float[v.length];
  }
}
