/**
 * Recurrent families over frozen random scaffolds: the CfC cell on SameDiff (family {@code cfc} of the registry,
 * images read row by row), and the hand-written engine ({@link org.lottalora.models.recurrent.RecurrentNetwork}:
 * CfC and LSTM with BPTT on plain arrays) with its data (image rows, long-form CSV series with timestamps, a seeded
 * irregular task), trainer (AUROC, class weights) and artifact ({@link org.lottalora.models.recurrent.RecurrentModel}).
 */
package org.lottalora.models.recurrent;
