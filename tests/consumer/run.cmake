# Installs the detnum build into a scratch prefix, then configures, builds and runs the consumer
# project against it, as a user would.
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()
run(${CMAKE_COMMAND} --install ${DETNUM_BUILD_DIR} --prefix ${WORK_DIR}/prefix)
set(cuda_hint "")
if(CMAKE_CUDA_COMPILER)
  get_filename_component(cuda_bin ${CMAKE_CUDA_COMPILER} DIRECTORY)
  get_filename_component(cuda_root ${cuda_bin} DIRECTORY)
  set(cuda_hint -DCUDAToolkit_ROOT=${cuda_root})
endif()
# The build's own compiler and linker flags (the sanitize preset's, say: a library built with
# ASan needs a program built with it), then a user's contracting ones: -O2 -ffp-contract=fast, and
# FMA instructions where this x86 CPU has them (x86's /proc/cpuinfo lists `flags`; without FMA the
# program could not run), so that a contraction the package failed to turn off would show in
# main.cpp's checks.
set(user_flags "${CONSUMER_CXX_FLAGS} -O2 -ffp-contract=fast")
if(EXISTS /proc/cpuinfo)
  file(STRINGS /proc/cpuinfo cpu_flags REGEX "^flags" LIMIT_COUNT 1)
  if(cpu_flags MATCHES " fma( |$)")
    string(APPEND user_flags " -mfma")
  endif()
endif()
run(${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix ${cuda_hint}
    "-DCMAKE_CXX_FLAGS=${user_flags}" "-DCMAKE_EXE_LINKER_FLAGS=${CONSUMER_LINKER_FLAGS}")
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer)
