/** Datasets: IDX and CSV readers, the embedded digits, named-dataset lookup, splits and normalization. */
package org.lottalora.core.data;
