# Installs the roundlab build tree into a temporary prefix, builds examples/user_kernel_check against
# it (find_package(roundlab CONFIG) only: no path into this source or build tree) and runs it:
#   - CorrectKernel.* must pass;
#   - WrongKernel.* must fail, each with the message a user would see.
# Run by CTest as: cmake -DROUNDLAB_BUILD_DIR=… -DEXAMPLE_SOURCE_DIR=… -DWORK_DIR=… [-DCONFIG=…] -P this file.
foreach(var ROUNDLAB_BUILD_DIR EXAMPLE_SOURCE_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_installed_example.cmake needs -D${var}=…")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "${what}: done")
endfunction()

set(config_args)
if(CONFIG)
  set(config_args --config "${CONFIG}")
endif()
run_step("cmake --install into ${prefix}" "${CMAKE_COMMAND}" --install "${ROUNDLAB_BUILD_DIR}" --prefix "${prefix}" ${config_args})
foreach(f lib/cmake/roundlab/roundlabConfig.cmake lib/cmake/roundlab/roundlabConfigVersion.cmake
          lib/cmake/roundlab/roundlabTargets.cmake lib/cmake/roundlab/roundlabTestingTargets.cmake
          include/roundlab/reference/roundlab.hpp include/roundlab/testing/kernel_checker.hpp)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "the install tree lacks ${f}")
  endif()
endforeach()
# No -march in what a user inherits.
file(GLOB target_files "${prefix}/lib/cmake/roundlab/*Targets*.cmake")
foreach(f ${target_files})
  file(READ "${f}" text)
  if(text MATCHES "march|roundlab_warnings|${ROUNDLAB_BUILD_DIR}")
    message(FATAL_ERROR "${f} leaks a build-only setting (-march, roundlab_warnings or a build path)")
  endif()
endforeach()

run_step("configure the example" "${CMAKE_COMMAND}" -S "${EXAMPLE_SOURCE_DIR}" -B "${WORK_DIR}/build"
         "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_BUILD_TYPE=Release)
run_step("build the example" "${CMAKE_COMMAND}" --build "${WORK_DIR}/build" --parallel 2)
set(exe "${WORK_DIR}/build/user_kernel_check")

execute_process(COMMAND "${exe}" --gtest_filter=CorrectKernel.* RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("---- correct kernels (must pass) ----\n${out}${err}")
if(NOT rc EQUAL 0 OR NOT out MATCHES "\\[  PASSED  \\] 4 tests")
  message(FATAL_ERROR "the correct kernels did not pass against the installed package")
endif()

execute_process(COMMAND "${exe}" --gtest_filter=WrongKernel.* RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("---- wrong kernels (must be caught) ----\n${out}${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "the wrong kernels were not caught")
endif()
# The messages a user reads: the counterexample with both codes and their values.
set(expected
  "\\[  FAILED  \\] 4 tests"
  "ocp_e5m2 src N=3 sat=none: the kernel differs from the reference in [0-9]+ of 524288 cases; first: input binary16 0x[0-9a-f]+ \\([^)]*\\) r=[0-7]: expected 0x[0-9a-f]+ \\([^)]*\\), got 0x[0-9a-f]+"
  "ocp_e5m2 rne sat=none: the kernel differs from the reference in [0-9]+ of 65536 cases; first: input binary16 0x7c01 \\(nan\\): expected 0x7e \\(nan\\), got 0x7c \\(inf\\)"
  "ocp_e5m2 rne sat=none: RapidCheck found a counterexample after [0-9]+ passing cases, shrunk to: input binary16 0x[0-9a-f]+ \\(nan\\): expected 0x7e \\(nan\\), got 0x7c \\(inf\\)"
  "results rounded away; exact P\\(away\\) = 3/2\\^3")
foreach(re ${expected})
  if(NOT out MATCHES "${re}")
    message(FATAL_ERROR "the wrong kernels' output lacks /${re}/")
  endif()
endforeach()
message("installed package example: OK")
