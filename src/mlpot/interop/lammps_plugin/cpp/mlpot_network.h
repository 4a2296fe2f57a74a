/* One element's network: descriptors G (F) -> atomic energy (eV) and dE/dG. */

#ifndef MLPOT_NETWORK_H
#define MLPOT_NETWORK_H

#include "mlpot_model.h"

#include <vector>

namespace mlpot {

class Network {
 public:
  explicit Network(const std::vector<Layer> &layers);

  // energy of an atom with descriptors g (n_inputs()); dE/dG into dedg (n_inputs())
  double energy_and_gradient(const double *g, double *dedg);
  int n_inputs() const { return layers_.front().n_in; }

 private:
  std::vector<Layer> layers_;
  std::vector<std::vector<double>> value_, slope_;    // per layer: f(z) and f'(z)
  std::vector<double> back_, back_next_;
};

}    // namespace mlpot

#endif
