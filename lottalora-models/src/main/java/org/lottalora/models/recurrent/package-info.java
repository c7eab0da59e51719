/**
 * Recurrent families over frozen random scaffolds on the hand-written engine
 * ({@link org.lottalora.models.recurrent.RecurrentNetwork}: CfC and LSTM with BPTT on plain arrays, the toolkit's one
 * CfC, trained by both {@code lottalora sequence train} and {@code lottalora train --family cfc}) with its data (image
 * rows, long-form CSV series with timestamps, a seeded irregular task), trainer (AUROC, class weights, optional
 * cosine schedule) and artifact ({@link org.lottalora.models.recurrent.RecurrentModel}, which also loads CfC files of
 * the former SameDiff family).
 */
package org.lottalora.models.recurrent;
