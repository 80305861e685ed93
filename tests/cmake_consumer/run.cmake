# Installs the built project into a scratch prefix, then configures, builds and runs a
# consumer that finds it with find_package(qutibench).
file(REMOVE_RECURSE ${WORK_DIR})
include(${CMAKE_CURRENT_LIST_DIR}/../run_command.cmake)
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
# A spec only the installed data holds: what finds it reads the installed copy, not the
# source tree the build came from.
set(installed_data ${WORK_DIR}/prefix/share/qutibench)
file(READ ${installed_data}/platforms/zcu104-dpu.json spec)
string(REPLACE "\"id\": \"zcu104-dpu\"" "\"id\": \"installed-only\"" spec "${spec}")
file(WRITE ${installed_data}/platforms/installed-only.json "${spec}")
if(EXISTS ${WORK_DIR}/prefix/bin/qutibench)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=QUTIBENCH_DATA_DIR ${WORK_DIR}/prefix/bin/qutibench platforms
                          --format csv OUTPUT_VARIABLE listed RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT listed MATCHES "installed-only")
    message(FATAL_ERROR "the installed qutibench does not read the installed data (${rc})")
  endif()
endif()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
# Without QUTIBENCH_DATA_DIR: the consumer must find the installed data by itself.
run(${CMAKE_COMMAND} -E env --unset=QUTIBENCH_DATA_DIR ${WORK_DIR}/build/consumer)
# The installed Python package imports and predicts (Debian's interpreter, installed path).
if(EXISTS ${WORK_DIR}/prefix/lib/python3/dist-packages/qutibench/__init__.py)
  run(${CMAKE_COMMAND} -E env --unset=QUTIBENCH_DATA_DIR PYTHONPATH=${WORK_DIR}/prefix/lib/python3/dist-packages
      /usr/bin/python3 -c "import qutibench, sys; p = qutibench.predict('mlp-p50', 'installed-only', 'int8'); sys.exit(0 if abs(p['inputs_per_s'] - 19.2e9 / 2910208) < 1e-6 and qutibench.__file__.startswith('${WORK_DIR}') and str(qutibench.data_dir()).startswith('${WORK_DIR}') else 1)")
endif()
