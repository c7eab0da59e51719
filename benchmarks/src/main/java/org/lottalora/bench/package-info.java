/** End-to-end benchmark runners and JMH micro-benchmarks; never run in the unit-test phase. */
package org.lottalora.bench;
