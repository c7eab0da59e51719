/**
 * The family contract ({@link org.lottalora.core.family.Family}) every built-in model family implements, and the
 * one registry ({@link org.lottalora.core.family.FamilyRegistry}) that finds them by id.
 */
package org.lottalora.core.family;
