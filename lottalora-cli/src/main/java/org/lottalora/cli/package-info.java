/** The lottalora command line: Picocli commands that parse, call the library and print. */
package org.lottalora.cli;
