# Configures, builds and runs a consumer that adds qutibench with FetchContent, then installs
# the consumer: its `cmake --install` must install its own program and nothing of qutibench.
file(REMOVE_RECURSE ${WORK_DIR})
include(${CMAKE_CURRENT_LIST_DIR}/../run_command.cmake)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -DQUTIBENCH_SOURCE_DIR=${QUTIBENCH_SOURCE_DIR})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${CMAKE_COMMAND} -E env --unset=QUTIBENCH_DATA_DIR ${WORK_DIR}/build/consumer)
run(${CMAKE_COMMAND} --install ${WORK_DIR}/build --prefix ${WORK_DIR}/prefix)
file(GLOB_RECURSE installed RELATIVE ${WORK_DIR}/prefix ${WORK_DIR}/prefix/*)
if(NOT installed STREQUAL "bin/consumer")
  message(FATAL_ERROR "the consumer's install holds more than its program: ${installed}")
endif()
