/** The multi-layer perceptron and single-layer classifier families. */
package org.lottalora.models.mlp;
