# Sourced by ./lottalora and the benchmark scripts: which OpenBLAS kernels to run on AMD CPUs with AVX-512.
# OpenBLAS 0.3.19 (ND4J's) does not know Zen 4/5: left to detect the CPU it picks its 2008 Barcelona (SSE2) kernels.
# On such a CPU with OPENBLAS_CORETYPE unset, this picks SkylakeX, the AVX-512 kernels later OpenBLAS releases use
# for Zen 4 (a 128 x 784 x 520 product on this machine's Zen 5, one thread: 344 GFLOP/s SkylakeX, 200 Haswell).
# A value already set is kept (this workplace's machines set Haswell); the benchmarks choose for both sides with
# LOTTALORA_BENCH_CORETYPE (see benchmarks/scripts/blas_env.sh).
lotta_has_avx512() {
  [[ -r /proc/cpuinfo ]] || return 1
  local flags
  flags=$(grep -m1 '^flags' /proc/cpuinfo)
  [[ " $flags " == *" avx512f "* && " $flags " == *" avx512bw "* && " $flags " == *" avx512vl "* \
    && " $flags " == *" avx512dq "* ]]
}
if [[ -z "${OPENBLAS_CORETYPE:-}" ]] && grep -qm1 '^vendor_id.*AuthenticAMD' /proc/cpuinfo 2>/dev/null \
    && lotta_has_avx512; then
  export OPENBLAS_CORETYPE=SkylakeX
fi
