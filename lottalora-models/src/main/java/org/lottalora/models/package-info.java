/** Model families, their registry, and LottaModel, the Java API for training, saving, loading and predicting. */
package org.lottalora.models;
