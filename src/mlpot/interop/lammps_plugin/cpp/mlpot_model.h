/* mlpot potential file (written by `mlpot export MODEL OUT --format lammps`): what it holds
   and how it is read. Units metal: eV and Å. The file layout is documented in docs/lammps.md
   and in mlpot/interop/lammps_plugin/model_file.py, which writes it. */

#ifndef MLPOT_MODEL_H
#define MLPOT_MODEL_H

#include <string>
#include <vector>

namespace mlpot {

enum class Activation {
  tanh, softplus, shifted_softplus, silu, sigmoid, gaussian, relu, linear,
  selu, cos, reverse_sigmoid, negative_exp, square
};

// one dense layer: z = x W + b, W (n_in, n_out) row-major, then the activation
struct Layer {
  int n_in = 0, n_out = 0;
  Activation activation = Activation::linear;
  std::vector<double> weights;    // [k * n_out + o]
  std::vector<double> biases;     // (n_out)
};

// kinds of symmetry function (see mlpot.descriptors.symmetry_functions)
enum class FunctionKind { radial, narrow, wide };

struct SymmetryFunction {
  FunctionKind kind = FunctionKind::radial;
  int neighbour1 = 0, neighbour2 = 0;    // element indices (neighbour2 unused by radial)
  double eta = 0.0, lambda = 1.0, zeta = 1.0, cutoff = 0.0, rs = 0.0, rs2 = 0.0;
};

struct ElementModel {
  std::vector<SymmetryFunction> functions;    // column c of the descriptor is functions[c]
  std::vector<double> low, high;              // training range per function (empty: unknown)
  std::vector<Layer> layers;                  // the network: descriptors -> atomic energy, eV
};

struct Model {
  std::vector<std::string> elements;
  int cutoff_code = 1;    // n2p2 cutoff type (mlpot.descriptors.cutoffs.CUTOFF_CODES)
  double cutoff_alpha = 0.0;
  std::vector<ElementModel> per_element;

  double cutoff() const;    // largest cutoff radius, Å
  int element_index(const std::string &symbol) const;    // -1 when absent
};

// parse the text of a potential file; throws std::runtime_error("line N: what is wrong")
Model parse_model(const std::string &text);

}    // namespace mlpot

#endif
