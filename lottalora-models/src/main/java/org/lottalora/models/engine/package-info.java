/**
 * Building blocks of the hand-written engines (graph and recurrent networks): an adapted linear layer on plain
 * arrays with batch-accumulated gradients, trained arrays with Adam moments, and Adam. They exist because DL4J
 * M2.1's SameDiff either computes a wrong gradient (gather with repeated indices) or re-initialises its session per
 * call at a cost that grows with an unrolled graph; plain loops also fix the order of every sum.
 */
package org.lottalora.models.engine;
