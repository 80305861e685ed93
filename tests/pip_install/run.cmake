# `pip install --no-build-isolation` of the package with Debian's pip and setuptools, packing
# the extension this build made (QUTIBENCH_CMAKE_BUILD_DIR) from a copy of what setup.py
# reads, into a scratch target directory; then the installed package imports, reads the data
# packed into it and predicts the hand figure.
include(${CMAKE_CURRENT_LIST_DIR}/../run_command.cmake)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/src/include/qutibench ${WORK_DIR}/src/bindings/python)
file(COPY ${SOURCE_DIR}/pyproject.toml ${SOURCE_DIR}/setup.py ${SOURCE_DIR}/README.md ${SOURCE_DIR}/data
     DESTINATION ${WORK_DIR}/src)
file(COPY ${SOURCE_DIR}/include/qutibench/version.hpp DESTINATION ${WORK_DIR}/src/include/qutibench)
file(COPY ${SOURCE_DIR}/bindings/python/qutibench DESTINATION ${WORK_DIR}/src/bindings/python)
execute_process(COMMAND ${CMAKE_COMMAND} -E env QUTIBENCH_CMAKE_BUILD_DIR=${BUILD_DIR}
                        /usr/bin/python3 -m pip install --no-build-isolation --no-deps --no-index --disable-pip-version-check
                        --target ${WORK_DIR}/site ${WORK_DIR}/src
                WORKING_DIRECTORY ${WORK_DIR} RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pip install failed (${rc})")
endif()
# The 50 % MLP's 2,910,208 INT8 weight bytes over the ZCU104-DPU's 19.2 GB/s; the shipped
# _core.pyi is packed too.
run(${CMAKE_COMMAND} -E env --unset=QUTIBENCH_DATA_DIR PYTHONPATH=${WORK_DIR}/site /usr/bin/python3 -c
    "import qutibench, sys, pathlib; site = pathlib.Path('${WORK_DIR}/site').resolve(); p = qutibench.predict('mlp-p50', 'zcu104-dpu', 'int8'); sys.exit(0 if abs(p['inputs_per_s'] - 19.2e9 / 2910208) < 1e-6 and pathlib.Path(qutibench.__file__).resolve().is_relative_to(site) and pathlib.Path(qutibench.data_dir()).resolve() == site / 'qutibench' / 'data' and (site / 'qutibench' / '_core.pyi').exists() else 1)")
