// The `qutibench` command line: level-0 requirements, roofline predictions, measurements.
#include "app.hpp"

int main(int argc, char** argv) { return qutibench::cli::application().run(argc, argv); }
