# plansync_private_protobuf(TARGET): an imported static library TARGET, the
# private copy of protobuf that libplansync links. It is built from the
# Debian source of the installed libprotobuf-dev (the version of its headers,
# Debian's patches applied; fetched once by scripts/fetch-protobuf-source
# into .deps/, and built there), as position-independent code for a shared
# library, which Debian's own libprotobuf.a is not (it uses the
# executable-only TLS model).
function(plansync_private_protobuf target)
  set(source_dir ${PROJECT_SOURCE_DIR}/.deps/protobuf-${Protobuf_VERSION})
  if(NOT EXISTS ${source_dir}/src/google/protobuf/descriptor.cc)
    execute_process(
      COMMAND ${PROJECT_SOURCE_DIR}/scripts/fetch-protobuf-source ${source_dir}
      RESULT_VARIABLE fetched)
    if(NOT fetched EQUAL 0)
      message(FATAL_ERROR "could not fetch the Debian source of protobuf "
        "${Protobuf_VERSION} into ${source_dir}: libplansync links a private "
        "copy of protobuf. Run scripts/fetch-protobuf-source ${source_dir} "
        "with access to Debian's archive, or configure with "
        "-DPLANSYNC_CAPI_PRIVATE_PROTOBUF=OFF to use the shared one")
    endif()
  endif()

  include(ExternalProject)
  # Built once per compiler next to the source and shared by the build
  # trees (the sanitizer build's copy is not instrumented either way).
  set(binary_dir
      ${source_dir}-build-${CMAKE_CXX_COMPILER_ID}-${CMAKE_CXX_COMPILER_VERSION})
  set(archive ${binary_dir}/libprotobuf.a)
  ExternalProject_Add(plansync_private_protobuf_build
    SOURCE_DIR ${source_dir}
    BINARY_DIR ${binary_dir}
    CMAKE_ARGS
      -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
      -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
      -DCMAKE_POSITION_INDEPENDENT_CODE=ON
      "-DCMAKE_CXX_FLAGS=-ffunction-sections -fdata-sections -w"
      -Dprotobuf_BUILD_TESTS=OFF
      -Dprotobuf_BUILD_PROTOC_BINARIES=OFF
      -Dprotobuf_BUILD_LIBPROTOC=OFF
      -Dprotobuf_BUILD_SHARED_LIBS=OFF
      -Dprotobuf_WITH_ZLIB=OFF
    BUILD_COMMAND ${CMAKE_COMMAND} --build ${binary_dir} --target libprotobuf
    BUILD_BYPRODUCTS ${archive}
    INSTALL_COMMAND ""
    LOG_CONFIGURE ON
    LOG_BUILD ON
    LOG_OUTPUT_ON_FAILURE ON)
  add_library(${target} STATIC IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES IMPORTED_LOCATION ${archive})
  add_dependencies(${target} plansync_private_protobuf_build)
endfunction()
