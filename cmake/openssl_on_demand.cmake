# OpenSSL loaded on a program's first call into it, not at its start.
#
# Why: the browser starts for every page, and most of what it shows from a file or a terminal
# needs no TLS. Linked into a position-independent program, the static OpenSSL brings about
# 18 500 of its 24 000 relocations, which the dynamic loader applies to a hundred pages before
# main: 0.3 to 0.4 ms of a 1.6 ms start on this team's machine, a thirtieth of the dump of a
# 100 KiB page. Linked as a shared library it costs more (its symbols are bound at start). So OpenSSL
# lives in a module beside the program, lib<PROGRAM>-openssl.so, and the program holds a stub
# for each OpenSSL function it calls (cmake/openssl_on_demand.sh writes them): the first call
# loads the module (browser/openssl/loader.cpp), every call after it costs one indirect jump.
# A page over https pays the same relocations, at its first handshake's context instead of
# before main; a file pays none. The program keeps its address-space randomisation (a program
# not position-independent would have no relocations to apply, and no ASLR either).
#
# miniweb_openssl_on_demand(PROGRAM LOADER MODULE_SOURCE ARCHIVE_TARGET...): PROGRAM gets the
# stubs and LOADER (its loader's source), and a module target PROGRAM-openssl built from
# MODULE_SOURCE with OpenSSL inside it, written beside PROGRAM. The ARCHIVE_TARGETs are the
# static libraries PROGRAM links whose OpenSSL calls go through the stubs: all that call
# OpenSSL. A call from elsewhere (one left out, or PROGRAM's own sources) fails PROGRAM's
# link with an undefined reference. Stubs are x86-64 code; elsewhere PROGRAM links OpenSSL as
# any program does, and MODULE_SOURCE with it.
function(miniweb_openssl_on_demand program loader module_source)
  if(NOT CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64)$")
    target_sources(${program} PRIVATE ${module_source})
    return()
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${program}-openssl)
  set(generated ${out}/stubs.S ${out}/names.cpp ${out}/exports.map ${out}/undefined.rsp)
  set(archives "")
  foreach(archive IN LISTS ARGN)
    list(APPEND archives $<TARGET_FILE:${archive}>)
  endforeach()
  # Cleanup functions a program calls on its way out whether or not it used TLS (asio's
  # openssl_init calls CONF_modules_unload from a static destructor): no-ops until loaded.
  set(idle CONF_modules_unload)
  # One target writes the list, which the module and the program both wait for. The script
  # rewrites only files whose content changed and then touches the stamp, so that an archive
  # rebuilt with the same calls relinks neither, and an unchanged build lists nothing again.
  add_custom_command(OUTPUT ${out}/stamp
    BYPRODUCTS ${generated}
    COMMAND sh ${PROJECT_SOURCE_DIR}/cmake/openssl_on_demand.sh ${out} "${idle}"
            ${OPENSSL_SSL_LIBRARY} ${OPENSSL_CRYPTO_LIBRARY} -- ${archives}
    DEPENDS ${PROJECT_SOURCE_DIR}/cmake/openssl_on_demand.sh ${ARGN}
    COMMENT "Listing the OpenSSL functions ${program} loads on first use"
    VERBATIM)
  add_custom_target(${program}-openssl-list DEPENDS ${out}/stamp)

  set(module ${program}-openssl)
  add_library(${module} MODULE ${module_source})
  add_dependencies(${module} ${program}-openssl-list)
  set_target_properties(${module} PROPERTIES PREFIX lib
    LIBRARY_OUTPUT_DIRECTORY $<TARGET_FILE_DIR:${program}>
    LINK_DEPENDS "${out}/exports.map;${out}/undefined.rsp")
  # The version script exports exactly the listed functions; the project-wide --exclude-libs
  # would hide every name the archives give, these included.
  get_target_property(options ${module} LINK_OPTIONS)
  if(options)
    list(REMOVE_ITEM options -Wl,--exclude-libs,ALL)
    set_target_properties(${module} PROPERTIES LINK_OPTIONS "${options}")
  endif()
  target_link_options(${module} PRIVATE -Wl,--version-script=${out}/exports.map
                      -Wl,@${out}/undefined.rsp)
  target_link_libraries(${module} PRIVATE OpenSSL::SSL OpenSSL::Crypto miniweb_warnings)
  target_compile_definitions(${module} PRIVATE MINIWEB_OPENSSL_ON_DEMAND)

  target_sources(${program} PRIVATE ${loader} ${out}/stubs.S ${out}/names.cpp)
  target_compile_definitions(${program} PRIVATE
    MINIWEB_OPENSSL_MODULE="$<TARGET_FILE_NAME:${module}>")
  # The program links no OpenSSL (shared/CMakeLists.txt reads this): every call into it goes
  # through a stub, or the link fails.
  set_target_properties(${program} PROPERTIES MINIWEB_OPENSSL_ON_DEMAND ON)
  add_dependencies(${program} ${module} ${program}-openssl-list)
endfunction()
