# Bits must not depend on the compiler's freedom to fuse, reassociate or flush. These flags are
# applied to every target in the project; a fast-math flag anywhere stops the configure.
foreach(var CMAKE_CXX_FLAGS CMAKE_CUDA_FLAGS CMAKE_CXX_FLAGS_RELEASE CMAKE_CXX_FLAGS_RELWITHDEBINFO
            CMAKE_CUDA_FLAGS_RELEASE CMAKE_CUDA_FLAGS_RELWITHDEBINFO)
  if("${${var}}" MATCHES "fast-math|fast_math|-Ofast|fmad=true|ftz=true|associative-math|unsafe-math")
    message(FATAL_ERROR "${var} contains '${CMAKE_MATCH_0}': detnum needs IEEE arithmetic without contraction or fast math")
  endif()
endforeach()

set(DETNUM_HOST_FP_FLAGS -ffp-contract=off -fno-fast-math -fno-math-errno)
set(DETNUM_CUDA_FP_FLAGS --fmad=false -ftz=false -prec-div=true -prec-sqrt=true)

add_compile_options(
  "$<$<COMPILE_LANGUAGE:CXX>:${DETNUM_HOST_FP_FLAGS}>"
  "$<$<COMPILE_LANGUAGE:CUDA>:${DETNUM_CUDA_FP_FLAGS}>"
  "$<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-ffp-contract=off>")

# Recorded by `detnum env` and the run log.
string(JOIN " " DETNUM_HOST_FP_FLAGS_STR ${DETNUM_HOST_FP_FLAGS})
string(JOIN " " DETNUM_CUDA_FP_FLAGS_STR ${DETNUM_CUDA_FP_FLAGS})
