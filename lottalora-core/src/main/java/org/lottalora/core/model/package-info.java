/** Model specifications as pure data. */
package org.lottalora.core.model;
