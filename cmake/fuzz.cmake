# Fuzz targets: one libFuzzer entry point (LLVMFuzzerTestOneInput) per parser, built twice.
#
# Under any compiler (the g++ test build of `./miniweb test`), a replay driver
# (tests/support/fuzz_driver.cpp) runs the target over its seed corpus, with truncations and
# byte flips, and over every input a fuzzer ever crashed on (tests/fuzz_regressions/NAME/):
# a target that stops compiling, or an old crash that comes back, turns the test run red.
# A target with FUZZER_SOURCES replays linked from those sources alone (the objects the
# project's libraries compiled from them, none compiled twice) and FUZZER_LIBRARIES, as its
# fuzzer links: a source whose code comes to need a file the list leaves out fails the test
# build, not only the clang build `./miniweb test` never makes. DRIVER_LIBRARIES is for the
# targets with none, whose fuzzer links instrumented copies of whole libraries.
#
# Under clang (`./miniweb fuzz`, build/fuzz), a real libFuzzer binary, fuzz_NAME, in the build
# tree's fuzzers/ folder beside NAME.conf, which tells the runner its corpus and input size.
# The parsers' sources are compiled into it (FUZZER_SOURCES) rather than linked from the
# project's libraries, so that libFuzzer's coverage instrumentation sees their branches and so
# that it needs none of the coroutine code clang 14 cannot build under ASan.
#
#   miniweb_fuzz_target(NAME name TARGET_SOURCE target.cpp CORPUS dir [MAX_LEN bytes]
#                       [FUZZER_SOURCES files... | DRIVER_LIBRARIES libs...]
#                       [FUZZER_LIBRARIES libs...])

set(MINIWEB_FUZZ_REGRESSIONS ${PROJECT_SOURCE_DIR}/tests/fuzz_regressions)
# Parsers that several targets compile in, named once: a file added to one of them is added to
# every target that uses it.
set(MINIWEB_FUZZ_URL_SOURCES ${PROJECT_SOURCE_DIR}/shared/url.cpp
    ${PROJECT_SOURCE_DIR}/shared/url_host.cpp)
set(MINIWEB_FUZZERS_DIR ${PROJECT_BINARY_DIR}/fuzzers)

if(CMAKE_CXX_COMPILER_ID MATCHES Clang)
  # Every configure writes the list afresh, so a target removed from the sources is gone.
  file(REMOVE_RECURSE ${MINIWEB_FUZZERS_DIR})
  file(MAKE_DIRECTORY ${MINIWEB_FUZZERS_DIR})
  add_custom_target(miniweb_fuzzers)
endif()

# The project's static libraries, found in every folder configured so far.
function(miniweb_static_libraries out directory)
  set(found "")
  get_property(targets DIRECTORY ${directory} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "STATIC_LIBRARY")
      list(APPEND found ${target})
    endif()
  endforeach()
  get_property(folders DIRECTORY ${directory} PROPERTY SUBDIRECTORIES)
  foreach(folder IN LISTS folders)
    miniweb_static_libraries(below ${folder})
    list(APPEND found ${below})
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

# What a replay driver links for SOURCE (an absolute path): the object a project library
# compiled from it, as a generator expression, or the source itself when none compiles it (its
# program not configured, or a file only fuzzers use).
function(miniweb_replay_input out source libraries)
  foreach(library IN LISTS libraries)
    get_target_property(sources ${library} SOURCES)
    get_target_property(library_dir ${library} SOURCE_DIR)
    foreach(listed IN LISTS sources)
      if(NOT IS_ABSOLUTE ${listed})
        set(listed ${library_dir}/${listed})
      endif()
      if(listed STREQUAL source)
        # CMake names an object by the source's path below the library's folder, each ".."
        # of a source outside it written "__".
        file(RELATIVE_PATH relative ${library_dir} ${source})
        string(REPLACE "../" "__/" relative "${relative}")
        set(pattern "/${library}.dir/${relative}${CMAKE_CXX_OUTPUT_EXTENSION}")
        foreach(special . +)  # the regular expression's special characters a path may hold
          string(REPLACE "${special}" "\\${special}" pattern "${pattern}")
        endforeach()
        set(${out} "$<FILTER:$<TARGET_OBJECTS:${library}>,INCLUDE,${pattern}$>" PARENT_SCOPE)
        return()
      endif()
    endforeach()
  endforeach()
  set(${out} ${source} PARENT_SCOPE)
endfunction()

function(miniweb_fuzz_target)
  cmake_parse_arguments(PARSE_ARGV 0 FUZZ "" "NAME;TARGET_SOURCE;CORPUS;MAX_LEN"
                        "DRIVER_LIBRARIES;FUZZER_SOURCES;FUZZER_LIBRARIES")
  if(NOT FUZZ_NAME OR NOT FUZZ_TARGET_SOURCE OR NOT FUZZ_CORPUS)
    message(FATAL_ERROR "miniweb_fuzz_target needs NAME, TARGET_SOURCE and CORPUS")
  endif()
  if(NOT FUZZ_MAX_LEN)
    set(FUZZ_MAX_LEN 4096)
  endif()
  get_filename_component(corpus ${FUZZ_CORPUS} ABSOLUTE)
  if(NOT IS_DIRECTORY ${corpus})
    message(FATAL_ERROR "fuzz target ${FUZZ_NAME}: no corpus folder ${corpus}")
  endif()

  set(replay fuzz_replay_${FUZZ_NAME})
  add_executable(${replay} ${FUZZ_TARGET_SOURCE}
                           ${PROJECT_SOURCE_DIR}/tests/support/fuzz_driver.cpp)
  if(FUZZ_FUZZER_SOURCES)
    if(FUZZ_DRIVER_LIBRARIES)
      message(FATAL_ERROR "fuzz target ${FUZZ_NAME}: FUZZER_SOURCES or DRIVER_LIBRARIES, not both "
                          "(its replay links what its fuzzer links)")
    endif()
    miniweb_static_libraries(libraries ${PROJECT_SOURCE_DIR})
    foreach(source IN LISTS FUZZ_FUZZER_SOURCES)
      miniweb_replay_input(input ${source} "${libraries}")
      target_sources(${replay} PRIVATE ${input})
    endforeach()
    target_include_directories(${replay} PRIVATE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${replay} PRIVATE ${FUZZ_FUZZER_LIBRARIES} miniweb_warnings)
  else()
    target_link_libraries(${replay} PRIVATE ${FUZZ_DRIVER_LIBRARIES} miniweb_warnings)
  endif()
  add_test(NAME FuzzReplay.${FUZZ_NAME}
    COMMAND ${replay} ${corpus} ${MINIWEB_FUZZ_REGRESSIONS}/${FUZZ_NAME})

  if(CMAKE_CXX_COMPILER_ID MATCHES Clang)
    set(fuzzer fuzz_${FUZZ_NAME})
    add_executable(${fuzzer} ${FUZZ_TARGET_SOURCE} ${FUZZ_FUZZER_SOURCES})
    target_include_directories(${fuzzer} PRIVATE ${PROJECT_SOURCE_DIR})
    target_compile_options(${fuzzer} PRIVATE -fsanitize=fuzzer)
    target_link_options(${fuzzer} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${fuzzer} PRIVATE ${FUZZ_FUZZER_LIBRARIES} miniweb_warnings)
    set_target_properties(${fuzzer} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${MINIWEB_FUZZERS_DIR}
                                               EXCLUDE_FROM_ALL ON)
    add_dependencies(miniweb_fuzzers ${fuzzer})
    file(WRITE ${MINIWEB_FUZZERS_DIR}/${FUZZ_NAME}.conf
         "corpus=${corpus}\nmax_len=${FUZZ_MAX_LEN}\n")
  endif()
endfunction()
