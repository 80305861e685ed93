// Umbrella header: the core model (units, datatypes, layers, topologies, precision,
// requirements) and the zoo. Opt-in parts (JSON, executor) have their own headers.
#pragma once

#include "qutibench/datatype.hpp"
#include "qutibench/error.hpp"
#include "qutibench/layer.hpp"
#include "qutibench/precision.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/topology.hpp"
#include "qutibench/units.hpp"
#include "qutibench/zoo.hpp"
