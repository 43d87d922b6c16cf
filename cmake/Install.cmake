# Installs libdetnum, its headers and a package config so that a user's project can say
#   find_package(detnum CONFIG REQUIRED)  target_link_libraries(app PRIVATE detnum::detnum)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS detnum EXPORT detnumTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/detnum DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/detnum/config.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/detnum)
install(TARGETS detnum_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT detnumTargets NAMESPACE detnum:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/detnum)

configure_package_config_file(cmake/detnumConfig.cmake.in
  ${PROJECT_BINARY_DIR}/detnumConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/detnum)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/detnumConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/detnumConfig.cmake ${PROJECT_BINARY_DIR}/detnumConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/detnum)
