# The reference executor's SIMD flags and gemmlowp headers, chosen by the build that compiles
# the executor: qutibench's own, or a consumer's find_package(qutibench COMPONENTS executor)
# (never the flags of the machine qutibench was installed from). gemmlowp picks its kernels
# from compiler flags and runs ~13x slower without SIMD, silently: AVX2 where this machine
# runs it, else SSE4.1; on other processors gemmlowp's portable code. QUTIBENCH_EXECUTOR_SIMD
# (auto, avx2, sse4.1, none) overrides the choice. GEMMLOWP_INCLUDE_DIR is empty where
# gemmlowp's headers are missing (Debian: libgemmlowp-dev); the caller decides what that means.
include(CheckCXXSourceRuns)
find_path(GEMMLOWP_INCLUDE_DIR gemmlowp/public/gemmlowp.h)
set(QUTIBENCH_EXECUTOR_SIMD auto CACHE STRING
    "SIMD of qutibench's executor: auto (x86: AVX2 where this machine runs it, else SSE4.1; others: none), avx2, sse4.1 or none")
set_property(CACHE QUTIBENCH_EXECUTOR_SIMD PROPERTY STRINGS auto avx2 sse4.1 none)

# Adds the include directory and the flags to the INTERFACE target `target`.
function(qutibench_use_executor_simd target)
  set(simd ${QUTIBENCH_EXECUTOR_SIMD})
  if(simd STREQUAL "auto" AND NOT CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|i.86)$")
    set(simd none)
  elseif(simd STREQUAL "auto")
    set(CMAKE_REQUIRED_FLAGS "-march=x86-64-v3")
    check_cxx_source_runs("#include <immintrin.h>
      int main() { __m256i a = _mm256_set1_epi16(3); a = _mm256_madd_epi16(a, a); return _mm256_extract_epi32(a, 0) == 18 ? 0 : 1; }"
      QUTIBENCH_HOST_RUNS_AVX2)
    if(QUTIBENCH_HOST_RUNS_AVX2)
      set(simd avx2)
    else()
      set(simd sse4.1)
    endif()
  endif()
  if(simd STREQUAL "avx2")
    set(flags -march=x86-64-v3 -DGEMMLOWP_ENABLE_AVX2)
  elseif(simd STREQUAL "sse4.1")
    set(flags -msse4.1)
  elseif(simd STREQUAL "none")
    set(flags "")  # gemmlowp's portable kernels, ~13x slower; every record's kernel_path says so
  else()
    message(FATAL_ERROR "QUTIBENCH_EXECUTOR_SIMD is '${simd}': auto, avx2, sse4.1 or none")
  endif()
  message(STATUS "qutibench executor SIMD flags: ${flags}")
  target_include_directories(${target} SYSTEM INTERFACE $<BUILD_INTERFACE:${GEMMLOWP_INCLUDE_DIR}>)
  target_compile_options(${target} INTERFACE $<BUILD_INTERFACE:${flags}>)
endfunction()
