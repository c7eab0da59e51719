package org.lottalora.models.snn;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A spiking network as pure data: its layers, its connections and the step dt in ms. The constructor checks
 * everything that can be checked without running it: dt > 0, unique names, that every connection names existing
 * layers, never targets an input layer, and that its topology fits both layer sizes.
 *
 * @param layers the layers, in the order they are updated each step
 * @param connections the connections, in the order their input is summed
 * @param dt the step in ms
 */
public record NetworkSpec(List<NodeSpec> layers, List<ConnectionSpec> connections, double dt) {
  /** Validates. */
  public NetworkSpec {
    if (!(dt > 0) || !Double.isFinite(dt)) {
      throw new IllegalArgumentException("dt must be > 0 ms, got " + dt);
    }
    layers = List.copyOf(layers);
    connections = List.copyOf(connections);
    Map<String, NodeSpec> byName = new HashMap<>();
    for (NodeSpec l : layers) {
      if (byName.put(l.name(), l) != null) {
        throw new IllegalArgumentException("two layers are named '" + l.name() + "'");
      }
    }
    Set<String> names = new HashSet<>();
    for (ConnectionSpec c : connections) {
      if (!names.add(c.name())) {
        throw new IllegalArgumentException("two connections are named '" + c.name() + "'");
      }
      NodeSpec pre = byName.get(c.source());
      NodeSpec post = byName.get(c.target());
      if (pre == null || post == null) {
        throw new IllegalArgumentException("connection '" + c.name() + "' names layer '" + (pre == null ? c.source()
            : c.target()) + "', which the network does not have (layers: " + String.join(", ", byName.keySet()) + ")");
      }
      if (post.model().equals("input")) {
        throw new IllegalArgumentException("connection '" + c.name() + "' targets input layer '" + post.name()
            + "': input layers take spike trains only");
      }
      checkSizes(c, pre.n(), post.n());
    }
  }

  private static void checkSizes(ConnectionSpec c, int nPre, int nPost) {
    switch (c.topology()) {
      case "one-to-one":
      case "all-but-self":
        if (nPre != nPost) {
          throw new IllegalArgumentException("connection '" + c.name() + "' (" + c.topology() + ") joins layers of "
              + nPre + " and " + nPost + " neurons; it needs equal sizes");
        }
        break;
      case "lattice": {
        if (nPre != nPost) {
          throw new IllegalArgumentException("connection '" + c.name() + "' (lattice) joins layers of " + nPre
              + " and " + nPost + " neurons; it needs one layer connected to itself");
        }
        int side = latticeSide(nPost);
        if (side * side != nPost) {
          throw new IllegalArgumentException("connection '" + c.name() + "' (lattice) needs a square number of "
              + "neurons, got " + nPost);
        }
        c.p("c");
        break;
      }
      case "local-competition": {
        int f = (int) c.p("filters");
        if (nPre != nPost || f < 1 || nPost % f != 0) {
          throw new IllegalArgumentException("connection '" + c.name() + "' (local-competition) needs one layer of "
              + "filters x windows neurons connected to itself; got " + nPre + " -> " + nPost + " with " + f
              + " filters");
        }
        break;
      }
      case "local": {
        int h = (int) c.p("in_height");
        int w = (int) c.p("in_width");
        int k = (int) c.p("kernel");
        int st = (int) c.p("stride");
        int f = (int) c.p("filters");
        if (h * w != nPre) {
          throw new IllegalArgumentException("connection '" + c.name() + "' (local) reads a " + h + " x " + w
              + " input but layer '" + c.source() + "' has " + nPre + " neurons");
        }
        if (k < 1 || st < 1 || f < 1 || k > h || k > w) {
          throw new IllegalArgumentException("connection '" + c.name() + "' (local): kernel " + k + ", stride " + st
              + " and filters " + f + " do not fit a " + h + " x " + w + " input");
        }
        int pos = localPositions(h, k, st) * localPositions(w, k, st);
        if (f * pos != nPost) {
          throw new IllegalArgumentException("connection '" + c.name() + "' (local) has " + f + " filters x " + pos
              + " windows = " + f * pos + " outputs but layer '" + c.target() + "' has " + nPost + " neurons");
        }
        break;
      }
      default:
        break;
    }
  }

  /** Windows along one side of a local connection. */
  static int localPositions(int size, int kernel, int stride) {
    return (size - kernel) / stride + 1;
  }

  /** The side of a square lattice of n neurons (rounded down). */
  static int latticeSide(int n) {
    int s = (int) Math.floor(Math.sqrt(n));
    while ((s + 1) * (s + 1) <= n) {
      s++;
    }
    return s;
  }

  /** The layer named {@code name}. */
  public NodeSpec layer(String name) {
    for (NodeSpec l : layers) {
      if (l.name().equals(name)) {
        return l;
      }
    }
    throw new IllegalArgumentException("no layer named '" + name + "'");
  }

  /** The connection named {@code name}. */
  public ConnectionSpec connection(String name) {
    for (ConnectionSpec c : connections) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("no connection named '" + name + "'");
  }

  /** The longest delay of any connection, in steps. */
  public int maxDelay() {
    int d = 1;
    for (ConnectionSpec c : connections) {
      d = Math.max(d, (int) c.p("delay_max"));
    }
    return d;
  }
}
