# Installs the built project into a scratch prefix, then configures, builds and runs a
# consumer that finds it with find_package(qutibench).
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}")
  endif()
endfunction()
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer)
# The installed Python package imports and predicts (Debian's interpreter, installed path).
if(EXISTS ${WORK_DIR}/prefix/lib/python3/dist-packages/qutibench/__init__.py)
  run(${CMAKE_COMMAND} -E env PYTHONPATH=${WORK_DIR}/prefix/lib/python3/dist-packages
      /usr/bin/python3 -c "import qutibench, sys; p = qutibench.predict(qutibench.zoo.get('mlp-p50'), 'zcu104-dpu', 'int8'); sys.exit(0 if abs(p['inputs_per_s'] - 19.2e9 / 2910208) < 1e-6 and qutibench.__file__.startswith('${WORK_DIR}') else 1)")
endif()
