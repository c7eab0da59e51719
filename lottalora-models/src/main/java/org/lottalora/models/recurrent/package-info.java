/**
 * Recurrent families over frozen random scaffolds (issue 5, in progress): the CfC cell with adapters on its gate
 * matrices, built on SameDiff and unrolled over time with shared weights.
 */
package org.lottalora.models.recurrent;
