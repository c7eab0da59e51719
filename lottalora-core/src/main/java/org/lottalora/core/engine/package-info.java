/**
 * Building blocks of the hand-written engines (graph, recurrent and Transformer networks): an adapted linear layer
 * on plain arrays with batch-accumulated gradients, adapted, trained in full or frozen ({@code MatrixMode});
 * products sent to ND4J's GEMM when large ({@code Blas}); trained arrays with Adam moments, and Adam. They exist
 * because DL4J M2.1's SameDiff either computes a wrong gradient (gather with repeated indices) or re-initialises its
 * session per call at a cost that grows with an unrolled graph; plain loops also fix the order of every sum.
 */
package org.lottalora.core.engine;
