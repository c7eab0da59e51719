package org.lottalora.models.adapt;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import onnx.Onnx;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;

/**
 * Reads an ONNX model into a SameDiff graph with the SameDiff 1.0.0-M2.1 importer and repairs what that importer
 * gets wrong, so the graph computes what the exporter (e.g. torch) computed. Before import the model is
 * normalised: {@code Constant} nodes become initializers (the importer mistypes them, e.g. a Reshape's shape),
 * unnamed nodes get names, and tensor names lose their {@code ':'} (torch's {@code onnx::MatMul_31}; SameDiff
 * reads {@code ':'} as an output index), so a name with {@code ':'} appears with {@code '_'} in the graph. After
 * import: each Gemm's bias, which the importer passes to an {@code Mmul} that ignores it, is added back (times
 * beta) by graph surgery; every Mmul from a Gemm or MatMul is set to compute alpha A B without accumulating into
 * its (reused, so garbage) output buffer; the variables' consumer lists, left stale by the importer, are rebuilt
 * so further surgery works; placeholders get -1 on symbolic (batch) axes. Graph inputs are placeholders and the
 * ONNX graph outputs are {@link SameDiff#outputs()}, under their ONNX names. Every failure is an
 * {@link IllegalArgumentException} with a one-line message naming the problem and the fix. The first import in
 * a JVM takes 7-26 s (measured on 2 busy cores: the importer scans the classpath for its op mappings, slowest
 * from the shaded CLI jar); later ones take under a second. The importer's console chatter is swallowed by
 * swapping System.out and System.err for the duration, so other threads' prints in that window are lost too.
 */
public final class OnnxImport {
  private OnnxImport() {}

  private static final Pattern NO_IMPORT_PROCESS = Pattern.compile("No import process defined for (\\S+)");
  private static final Pattern OP_FAILED = Pattern.compile("Op (\\S+) with name (\\S+) failed to execute");

  /** Imports {@code onnx}, repaired as described on the class. */
  public static SameDiff load(Path onnx) {
    Onnx.ModelProto model = read(onnx);
    Onnx.ModelProto normalised = normalise(model);
    List<String> inputs = placeholders(normalised.getGraph());
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException(onnx + " has no input placeholder: every graph input is a stored"
          + " initializer; re-export with the data input as a graph input (torch.onnx.export input_names)");
    }
    SameDiff sd = importQuietly(onnx, normalised);
    for (String in : inputs) {
      if (!sd.hasVariable(in) || !sd.getVariable(in).isPlaceHolder()) {
        throw new IllegalArgumentException(onnx + ": graph input '" + in + "' did not import as a placeholder;"
            + " re-export with the data input as a graph input (torch.onnx.export input_names)");
      }
    }
    try {
      repairBookkeeping(sd);
      restoreGemmBias(sd, gemmAttr(normalised.getGraph(), "beta"));
      fixMmulScale(sd, normalised.getGraph());
      dynamicPlaceholderShapes(sd, normalised.getGraph());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(onnx + ": could not repair the imported graph (" + e.getClass()
          .getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")");
    }
    List<String> outputs = new ArrayList<>();
    for (Onnx.ValueInfoProto out : normalised.getGraph().getOutputList()) {
      outputs.add(out.getName());
    }
    sd.setOutputs(outputs);
    return sd;
  }

  /** The importer's graph for the normalised model, without the repairs: for tests that show they are needed. */
  static SameDiff importRaw(Path onnx) {
    return importQuietly(onnx, normalise(read(onnx)));
  }

  private static Onnx.ModelProto read(Path onnx) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(onnx);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("ONNX model not found: " + onnx + " (check the path)");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read ONNX model " + onnx + ": " + e);
    }
    Onnx.ModelProto model;
    try {
      model = Onnx.ModelProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      model = null;
    }
    // Protobuf parses many non-ONNX byte strings without error, so a model without a graph or nodes counts as
    // "not ONNX" too.
    if (model == null || !model.hasGraph() || model.getGraph().getNodeCount() == 0) {
      throw new IllegalArgumentException(onnx + " is not an ONNX model (no ONNX graph in it); export one with"
          + " torch.onnx.export or tf2onnx");
    }
    return model;
  }

  /**
   * Each Gemm's float attribute {@code attr} (alpha or beta, default 1), by node name; the importer names the
   * Mmul after the node.
   */
  private static Map<String, Float> gemmAttr(Onnx.GraphProto graph, String attr) {
    Map<String, Float> values = new HashMap<>();
    for (Onnx.NodeProto node : graph.getNodeList()) {
      if ("Gemm".equals(node.getOpType())) {
        float v = 1f;
        for (Onnx.AttributeProto a : node.getAttributeList()) {
          if (attr.equals(a.getName())) {
            v = a.getF();
          }
        }
        values.put(node.getName(), v);
      }
    }
    return values;
  }

  /** Constant nodes become initializers and tensor names lose ':', for the reasons given on the class. */
  static Onnx.ModelProto normalise(Onnx.ModelProto model) {
    Onnx.GraphProto graph = model.getGraph();
    Map<String, String> renamed = new HashMap<>();
    Set<String> taken = new HashSet<>();
    collectNames(graph, taken);
    Onnx.GraphProto.Builder g = graph.toBuilder().clearNode();
    Set<String> nodeNames = new HashSet<>();
    for (Onnx.NodeProto node : graph.getNodeList()) {
      nodeNames.add(node.getName());
    }
    int index = 0;
    for (Onnx.NodeProto original : graph.getNodeList()) {
      // the repairs find each node's op by its name, so unnamed nodes (some exporters) get one
      Onnx.NodeProto node = original;
      if (node.getName().isEmpty()) {
        String name;
        do {
          name = node.getOpType() + "_" + index++;
        } while (nodeNames.contains(name));
        nodeNames.add(name);
        node = node.toBuilder().setName(name).build();
      }
      Onnx.TensorProto constant = "Constant".equals(node.getOpType()) ? constantValue(node) : null;
      if (constant != null) {
        g.addInitializer(constant.toBuilder().setName(node.getOutput(0)));
      } else {
        g.addNode(node);
      }
    }
    for (String name : taken) {
      if (name.indexOf(':') >= 0) {
        String base = name.replace(':', '_');
        String fresh = base;
        for (int i = 1; taken.contains(fresh) || renamed.containsValue(fresh); i++) {
          fresh = base + "_" + i;
        }
        renamed.put(name, fresh);
      }
    }
    if (!renamed.isEmpty()) {
      for (Onnx.NodeProto.Builder n : g.getNodeBuilderList()) {
        for (int i = 0; i < n.getInputCount(); i++) {
          n.setInput(i, renamed.getOrDefault(n.getInput(i), n.getInput(i)));
        }
        for (int i = 0; i < n.getOutputCount(); i++) {
          n.setOutput(i, renamed.getOrDefault(n.getOutput(i), n.getOutput(i)));
        }
      }
      for (Onnx.TensorProto.Builder t : g.getInitializerBuilderList()) {
        t.setName(renamed.getOrDefault(t.getName(), t.getName()));
      }
      for (Onnx.ValueInfoProto.Builder v : g.getInputBuilderList()) {
        v.setName(renamed.getOrDefault(v.getName(), v.getName()));
      }
      for (Onnx.ValueInfoProto.Builder v : g.getOutputBuilderList()) {
        v.setName(renamed.getOrDefault(v.getName(), v.getName()));
      }
      for (Onnx.ValueInfoProto.Builder v : g.getValueInfoBuilderList()) {
        v.setName(renamed.getOrDefault(v.getName(), v.getName()));
      }
    }
    return model.toBuilder().setGraph(g).build();
  }

  private static void collectNames(Onnx.GraphProto graph, Set<String> names) {
    for (Onnx.NodeProto n : graph.getNodeList()) {
      names.addAll(n.getInputList());
      names.addAll(n.getOutputList());
    }
    for (Onnx.TensorProto t : graph.getInitializerList()) {
      names.add(t.getName());
    }
    for (Onnx.ValueInfoProto v : graph.getInputList()) {
      names.add(v.getName());
    }
    for (Onnx.ValueInfoProto v : graph.getOutputList()) {
      names.add(v.getName());
    }
    names.remove("");
  }

  /** The tensor a Constant node holds, or null for the forms left to the importer (sparse, strings, ...). */
  private static Onnx.TensorProto constantValue(Onnx.NodeProto node) {
    if (node.getAttributeCount() != 1 || node.getOutputCount() != 1) {
      return null;
    }
    Onnx.AttributeProto a = node.getAttribute(0);
    Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder();
    switch (a.getName()) {
      case "value":
        return a.getT();
      case "value_float":
        return t.setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).addFloatData(a.getF()).build();
      case "value_floats":
        return t.setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).addDims(a.getFloatsCount())
            .addAllFloatData(a.getFloatsList()).build();
      case "value_int":
        return t.setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addInt64Data(a.getI()).build();
      case "value_ints":
        return t.setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addDims(a.getIntsCount())
            .addAllInt64Data(a.getIntsList()).build();
      default:
        return null;
    }
  }

  private static List<String> placeholders(Onnx.GraphProto graph) {
    Set<String> stored = new HashSet<>();
    for (Onnx.TensorProto t : graph.getInitializerList()) {
      stored.add(t.getName());
    }
    List<String> inputs = new ArrayList<>();
    for (Onnx.ValueInfoProto v : graph.getInputList()) {
      if (!stored.contains(v.getName())) {
        inputs.add(v.getName());
      }
    }
    return inputs;
  }

  /**
   * Runs the importer on the normalised model with System.out and System.err swallowed: it prints a graph
   * summary and lines such as "Unable to resolve attribute for name transA" that mean nothing to a user.
   */
  private static SameDiff importQuietly(Path onnx, Onnx.ModelProto normalised) {
    Path tmp = null;
    synchronized (OnnxImport.class) {
      PrintStream out = System.out;
      PrintStream err = System.err;
      PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
      try {
        tmp = Files.createTempFile("lottalora-onnx-", ".onnx");
        Files.write(tmp, normalised.toByteArray());
        System.setOut(sink);
        System.setErr(sink);
        return new OnnxFrameworkImporter().runImport(tmp.toString(), Collections.emptyMap(), true);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot write a temporary copy of " + onnx + ": " + e);
      } catch (RuntimeException | LinkageError e) {
        throw importFailure(onnx, normalised.getGraph(), e);
      } finally {
        System.setOut(out);
        System.setErr(err);
        if (tmp != null) {
          try {
            Files.deleteIfExists(tmp);
          } catch (IOException ignored) {
            // a leftover temp file is harmless
          }
        }
      }
    }
  }

  /** Turns the importer's exceptions (often several lines of C++ detail) into one line naming the ONNX node. */
  private static IllegalArgumentException importFailure(Path onnx, Onnx.GraphProto graph, Throwable e) {
    String msg = String.valueOf(e.getMessage());
    Matcher m = NO_IMPORT_PROCESS.matcher(msg);
    if (m.find()) {
      String opType = m.group(1);
      String node = "?";
      for (Onnx.NodeProto n : graph.getNodeList()) {
        if (n.getOpType().equals(opType)) {
          node = n.getName();
          break;
        }
      }
      return new IllegalArgumentException(onnx + ": node '" + node + "' uses ONNX op " + opType + ", which the"
          + " SameDiff 1.0.0-M2.1 importer cannot read; re-export with a different opset or replace the op"
          + " with supported ones");
    }
    m = OP_FAILED.matcher(msg);
    if (m.find()) {
      String nodeName = m.group(2);
      String opType = "?";
      for (Onnx.NodeProto n : graph.getNodeList()) {
        if (n.getName().equals(nodeName) || n.getOutputList().contains(nodeName)) {
          opType = n.getOpType();
          break;
        }
      }
      return new IllegalArgumentException(onnx + ": the SameDiff 1.0.0-M2.1 importer failed on node '" + nodeName
          + "' (ONNX " + opType + ", SameDiff " + m.group(1) + "); simplify that part of the model and re-export"
          + " (e.g. MatMul needs operands of equal rank: apply Linear to [N*T, d] rows, not [N, T, d])");
    }
    String first = msg.lines().findFirst().orElse(e.getClass().getSimpleName());
    return new IllegalArgumentException(onnx + ": the SameDiff 1.0.0-M2.1 importer failed (" + e.getClass()
        .getSimpleName() + ": " + first + "); simplify the model or re-export with a different opset");
  }

  /**
   * Rebuilds each variable's consumer list and producer from the ops' own input and output lists. Import hooks
   * (Reshape, for one) rename ops after creating them and leave stale names in the variables' consumer lists, on
   * which renameVariable and later graph surgery fail.
   */
  static void repairBookkeeping(SameDiff sd) {
    Map<String, List<String>> consumers = new HashMap<>();
    for (Map.Entry<String, SameDiffOp> e : sd.getOps().entrySet()) {
      List<String> in = e.getValue().getInputsToOp();
      if (in != null) {
        for (String v : in) {
          List<String> c = consumers.computeIfAbsent(v, k -> new ArrayList<>());
          if (!c.contains(e.getKey())) {
            c.add(e.getKey());
          }
        }
      }
      List<String> out = e.getValue().getOutputsOfOp();
      if (out != null) {
        for (String v : out) {
          Variable var = sd.getVariables().get(v);
          if (var != null) {
            var.setOutputOfOp(e.getKey());
          }
        }
      }
    }
    for (Variable v : sd.getVariables().values()) {
      v.setInputsForOp(consumers.containsKey(v.getName()) ? consumers.get(v.getName()) : null);
    }
  }

  /**
   * The importer maps ONNX Gemm to Mmul with the bias as a third input, which Mmul ignores. The bias input is
   * removed and beta times the bias added to the product; consumers and the output name move to the sum, so
   * names seen from outside (e.g. "logits") still name the repaired value. Returns how many Gemms were repaired.
   */
  static int restoreGemmBias(SameDiff sd, Map<String, Float> betas) {
    Map<String, SameDiffOp> biased = new LinkedHashMap<>();
    for (Map.Entry<String, SameDiffOp> e : sd.getOps().entrySet()) {
      SameDiffOp op = e.getValue();
      if (op.getOp() instanceof Mmul && op.getInputsToOp() != null && op.getInputsToOp().size() == 3) {
        biased.put(e.getKey(), op);
      }
    }
    for (Map.Entry<String, SameDiffOp> e : biased.entrySet()) {
      SameDiffOp op = e.getValue();
      String bias = op.getInputsToOp().get(2);
      String out = op.getOutputsOfOp().get(0);
      List<String> consumers = new ArrayList<>(inputsFor(sd, out));
      sd.removeArgFromOp(bias, op.getOp());
      String product = unique(sd, out + "/nobias");
      sd.renameVariable(out, product);
      SDVariable b = sd.getVariable(bias);
      float beta = betas.getOrDefault(e.getKey(), 1f);
      if (beta != 1f) {
        b = b.mul(unique(sd, bias + "/beta"), beta);
      }
      SDVariable sum = sd.getVariable(product).add(out, b);
      for (String c : consumers) {
        SameDiffOp consumer = sd.getOps().get(c);
        List<String> args = consumer.getInputsToOp();
        for (int i = 0; i < args.size(); i++) {
          if (args.get(i).equals(product)) {
            sd.replaceArgFor(i, sum, consumer.getOp());
          }
        }
      }
    }
    // replaceArgFor leaves the old argument's consumer list alone, so the product would still list the consumers
    repairBookkeeping(sd);
    return biased.size();
  }

  /**
   * libnd4j's matmul computes alpha A B + beta Z, accumulating into whatever its output buffer held before (a
   * reused buffer: garbage). The importer gives a Gemm's Mmul the Gemm's beta, and a MatMul's Mmul alpha=0,
   * beta=1, so both read garbage once buffers are reused (the first layers of a small model happen to get zeroed
   * buffers, which hides it). Each is set to alpha A B with no accumulation; a Gemm's bias is added separately.
   */
  static void setScale(Mmul mmul, double alpha) {
    for (double d : mmul.tArgs()) {
      mmul.removeTArgument(d);
    }
    mmul.addTArgument(alpha, 0.0);
  }

  /** Sets the scale of every Mmul that came from an ONNX Gemm (its alpha) or MatMul (1); see {@link #setScale}. */
  static int fixMmulScale(SameDiff sd, Onnx.GraphProto graph) {
    Map<String, Float> alphas = gemmAttr(graph, "alpha");
    Set<String> matmuls = new HashSet<>();
    for (Onnx.NodeProto node : graph.getNodeList()) {
      if ("MatMul".equals(node.getOpType())) {
        matmuls.add(node.getName());
      }
    }
    int fixed = 0;
    for (Map.Entry<String, SameDiffOp> e : sd.getOps().entrySet()) {
      if (e.getValue().getOp() instanceof Mmul mmul) {
        if (alphas.containsKey(e.getKey())) {
          setScale(mmul, alphas.get(e.getKey()));
          fixed++;
        } else if (matmuls.contains(e.getKey())) {
          setScale(mmul, 1.0);
          fixed++;
        }
      }
    }
    return fixed;
  }

  /**
   * Placeholders get -1 where the ONNX input has a symbolic dimension (e.g. the batch axis); the importer stores
   * the example size 1 there, which misstates what the graph accepts.
   */
  private static void dynamicPlaceholderShapes(SameDiff sd, Onnx.GraphProto graph) {
    for (Onnx.ValueInfoProto in : graph.getInputList()) {
      SDVariable v = sd.hasVariable(in.getName()) ? sd.getVariable(in.getName()) : null;
      if (v == null || !v.isPlaceHolder() || !in.getType().hasTensorType()
          || !in.getType().getTensorType().hasShape()) {
        continue;
      }
      List<Onnx.TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
      long[] shape = new long[dims.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = dims.get(i).hasDimValue() ? dims.get(i).getDimValue() : -1;
      }
      v.setShape(shape);
    }
  }

  private static List<String> inputsFor(SameDiff sd, String var) {
    List<String> ops = sd.getVariables().get(var).getInputsForOp();
    return ops == null ? List.of() : ops;
  }

  private static String unique(SameDiff sd, String base) {
    String name = base;
    for (int i = 1; sd.hasVariable(name); i++) {
      name = base + "_" + i;
    }
    return name;
  }
}
