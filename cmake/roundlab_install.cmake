# `cmake --install` and the CMake package: find_package(roundlab CONFIG) in another project gives
# roundlab::reference, roundlab::device, roundlab::analysis and, when GoogleTest and RapidCheck were
# found here and are found there, roundlab::testing. Headers keep their folders under
# <prefix>/include/roundlab (the targets add that folder to the include path, so
# `#include "reference/roundlab.hpp"` works as it does inside this tree). The CLI is installed too.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
set(ROUNDLAB_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/roundlab)
set(ROUNDLAB_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/roundlab)

set_target_properties(roundlab_reference PROPERTIES EXPORT_NAME reference)
set_target_properties(roundlab_device PROPERTIES EXPORT_NAME device)
set_target_properties(roundlab_analysis PROPERTIES EXPORT_NAME analysis)
install(TARGETS roundlab_reference roundlab_device roundlab_analysis EXPORT roundlabTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} INCLUDES DESTINATION ${ROUNDLAB_INSTALL_INCLUDEDIR})
install(EXPORT roundlabTargets NAMESPACE roundlab:: DESTINATION ${ROUNDLAB_INSTALL_CMAKEDIR})
# The headers of the installed libraries (not analysis/gpt nor device/cuda, which are not installed).
install(DIRECTORY reference device analysis DESTINATION ${ROUNDLAB_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp" PATTERN "gpt" EXCLUDE PATTERN "cuda" EXCLUDE)

if(TARGET roundlab_testing)
  set_target_properties(roundlab_testing PROPERTIES EXPORT_NAME testing)
  install(TARGETS roundlab_testing EXPORT roundlabTestingTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          INCLUDES DESTINATION ${ROUNDLAB_INSTALL_INCLUDEDIR})
  install(EXPORT roundlabTestingTargets NAMESPACE roundlab:: DESTINATION ${ROUNDLAB_INSTALL_CMAKEDIR})
  install(DIRECTORY testing DESTINATION ${ROUNDLAB_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")
endif()

install(TARGETS roundlab RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/roundlabConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/roundlabConfig.cmake INSTALL_DESTINATION ${ROUNDLAB_INSTALL_CMAKEDIR})
# 0.x: a new minor version may change the API, so only the same major.minor is compatible.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/roundlabConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/roundlabConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/roundlabConfigVersion.cmake
        DESTINATION ${ROUNDLAB_INSTALL_CMAKEDIR})
