# run(COMMAND...): runs a command in a CMake script test, failing the test with the command
# line and its exit status if it does not exit 0.
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}")
  endif()
endfunction()
