// Umbrella header: the core model (units, datatypes, layers, topologies, precision,
// requirements), the zoo, platforms, the level-0 predictors and printing (operator<< for
// quantities and records; qutibench/fmt.hpp for {fmt}). Opt-in parts (JSON specs,
// Catch2 matchers, the executor) have their own headers.
#pragma once

#include "qutibench/accuracy.hpp"
#include "qutibench/datatype.hpp"
#include "qutibench/design.hpp"
#include "qutibench/error.hpp"
#include "qutibench/layer.hpp"
#include "qutibench/memory_model.hpp"
#include "qutibench/network_summary.hpp"
#include "qutibench/platform.hpp"
#include "qutibench/precision.hpp"
#include "qutibench/print.hpp"
#include "qutibench/predict/efficiency.hpp"
#include "qutibench/predict/fields.hpp"
#include "qutibench/predict/heatmap.hpp"
#include "qutibench/predict/pareto.hpp"
#include "qutibench/predict/profile.hpp"
#include "qutibench/predict/realistic.hpp"
#include "qutibench/predict/roofline.hpp"
#include "qutibench/predict/sweep.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/topology.hpp"
#include "qutibench/units.hpp"
#include "qutibench/version.hpp"
#include "qutibench/zoo.hpp"
