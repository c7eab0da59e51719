package org.lottalora.cli;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * Minimal JSON writer for {@code --json} output: maps, records (as objects), collections, arrays, numbers,
 * strings, booleans.
 */
final class Json {
  private Json() {}

  static String write(Object o) {
    StringBuilder sb = new StringBuilder();
    write(o, sb);
    return sb.toString();
  }

  private static void write(Object o, StringBuilder sb) {
    if (o == null) {
      sb.append("null");
    } else if (o instanceof String s) {
      quote(s, sb);
    } else if (o instanceof Float f) {
      number(f.doubleValue(), sb); // the exact value of the float, so readers round-trip it bit for bit
    } else if (o instanceof Double d) {
      number(d, sb);
    } else if (o instanceof Number || o instanceof Boolean) {
      sb.append(o);
    } else if (o instanceof Record r) {
      // a record is written as an object of its components, in declaration order
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      for (java.lang.reflect.RecordComponent c : r.getClass().getRecordComponents()) {
        try {
          java.lang.reflect.Method acc = c.getAccessor();
          acc.setAccessible(true);
          m.put(c.getName(), acc.invoke(r));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("cannot read record component " + c.getName(), e);
        }
      }
      write(m, sb);
    } else if (o instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        quote(String.valueOf(e.getKey()), sb);
        sb.append(':');
        write(e.getValue(), sb);
      }
      sb.append('}');
    } else if (o instanceof Collection<?> c) {
      sb.append('[');
      boolean first = true;
      for (Object x : c) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        write(x, sb);
      }
      sb.append(']');
    } else if (o instanceof float[] a) {
      sb.append('[');
      for (int i = 0; i < a.length; i++) {
        if (i > 0) {
          sb.append(',');
        }
        number(a[i], sb);
      }
      sb.append(']');
    } else if (o instanceof int[] a) {
      sb.append(java.util.Arrays.toString(a).replace(" ", ""));
    } else {
      quote(o.toString(), sb);
    }
  }

  private static void number(double d, StringBuilder sb) {
    if (Double.isFinite(d)) {
      sb.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? String.format(Locale.ROOT, "%.1f", d) : Double.toString(d));
    } else {
      sb.append("null");
    }
  }

  private static void quote(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': sb.append("\\\""); break;
        case '\\': sb.append("\\\\"); break;
        case '\n': sb.append("\\n"); break;
        case '\r': sb.append("\\r"); break;
        case '\t': sb.append("\\t"); break;
        default:
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }
}
