// The model zoo: every network of the thesis (Table 6.1) and more, by stable id, with
// the task each belongs to.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "qutibench/error.hpp"
#include "qutibench/topology.hpp"
#include "qutibench/zoo/alexnet.hpp"
#include "qutibench/zoo/cnv.hpp"
#include "qutibench/zoo/efficientnet.hpp"
#include "qutibench/zoo/googlenet.hpp"
#include "qutibench/zoo/mlp.hpp"
#include "qutibench/zoo/mobilenet.hpp"
#include "qutibench/zoo/resnet.hpp"
#include "qutibench/zoo/resnet50_pruned.hpp"
#include "qutibench/zoo/transformer.hpp"
#include "qutibench/zoo/vgg.hpp"

namespace qutibench::zoo {

/// One zoo network: its stable id, task (empty for none of the thesis's tasks), its
/// name in thesis Table 6.1 (empty if the thesis has none) and a factory.
struct entry {
  std::string_view id;
  std::string_view task;
  std::string_view thesis_name;
  topology (*make)();
};

/// Every network, thesis variants first in Table 6.1's order.
inline constexpr entry catalogue[] = {
    {"googlenet-v1", "imagenet", "GoogLeNetv1", [] { return googlenet_v1(); }},
    {"mobilenet-v1", "imagenet", "MobileNetv1", [] { return mobilenet_v1(); }},
    {"resnet50", "imagenet", "ResNet50 100%", [] { return resnet50(); }},
    {"resnet50-p80", "imagenet", "ResNet50 80%", [] { return resnet50_p80(); }},
    {"resnet50-p50", "imagenet", "ResNet50 50%", [] { return resnet50_p50(); }},
    {"resnet50-p30", "imagenet", "ResNet50 30%", [] { return resnet50_p30(); }},
    {"efficientnet-edgetpu-s", "imagenet", "EfficientNet Edge S", [] { return efficientnet_edgetpu(edgetpu_size::s); }},
    {"efficientnet-edgetpu-m", "imagenet", "EfficientNet Edge M", [] { return efficientnet_edgetpu(edgetpu_size::m); }},
    {"efficientnet-edgetpu-l", "imagenet", "EfficientNet Edge L", [] { return efficientnet_edgetpu(edgetpu_size::l); }},
    {"cnv", "cifar10", "CNV 100%", [] { return cnv(1.0); }},
    {"cnv-p50", "cifar10", "CNV 50%", [] { return cnv(0.5, "cnv-p50"); }},
    {"cnv-p25", "cifar10", "CNV 25%", [] { return cnv(0.25, "cnv-p25"); }},
    {"cnv-p12.5", "cifar10", "CNV 12.5%", [] { return cnv(0.125, "cnv-p12.5"); }},
    {"mlp", "mnist", "MLP 100%", [] { return mlp(1.0); }},
    {"mlp-p50", "mnist", "MLP 50%", [] { return mlp(0.5, "mlp-p50"); }},
    {"mlp-p25", "mnist", "MLP 25%", [] { return mlp(0.25, "mlp-p25"); }},
    {"mlp-p12.5", "mnist", "MLP 12.5%", [] { return mlp(0.125, "mlp-p12.5"); }},
    {"resnet50-v1.5", "imagenet", "", [] { return resnet(50, resnet_version::v1_5); }},
    {"resnet18", "imagenet", "", [] { return resnet(18); }},
    {"resnet34", "imagenet", "", [] { return resnet(34); }},
    {"resnet101", "imagenet", "", [] { return resnet(101); }},
    {"vgg16", "imagenet", "", [] { return vgg16(); }},
    {"alexnet", "imagenet", "", [] { return alexnet(); }},
    {"mobilenet-v2", "imagenet", "", [] { return mobilenet_v2(); }},
    {"efficientnet-b0", "imagenet", "", [] { return efficientnet_b0(); }},
    {"bert-base", "", "", [] { return bert_base(); }},
    {"gpt2-small-prefill", "", "", [] { return gpt2_small_prefill(); }},
    {"gpt2-small-decode", "", "", [] { return gpt2_small_decode(); }},
};

/// The zoo entry with stable id `id`; throws spec_error 301 listing the valid ids.
inline const entry& find(std::string_view id) {
  for (const entry& e : catalogue)
    if (e.id == id) return e;
  std::string valid;
  for (const entry& e : catalogue) valid += (valid.empty() ? "" : ", ") + std::string(e.id);
  throw spec_error(error_id::unknown_id, "topology '" + std::string(id) + "'", "not in the zoo; valid ids: " + valid);
}

/// Builds the zoo network with stable id `id`.
inline topology get(std::string_view id) { return find(id).make(); }

}  // namespace qutibench::zoo
