/* Dense networks as torch evaluates them (mlpot.models.activations): z = x W + b per layer. */

#include "mlpot_network.h"

#include "mlpot_math.h"

#include <algorithm>
#include <cmath>

namespace mlpot {

namespace {

constexpr double SOFTPLUS_THRESHOLD = 20.0;    // torch's default: softplus(z) = z above it
constexpr double SELU_ALPHA = 1.6732632423543772848170429916717;
constexpr double SELU_SCALE = 1.0507009873554804934193349852946;

// f(z) into value, f'(z) into slope
inline void activate(Activation act, double z, double &value, double &slope)
{
  switch (act) {
    case Activation::tanh: {
      value = std::tanh(z);
      slope = 1.0 - value * value;
      return;
    }
    case Activation::softplus:
    case Activation::shifted_softplus: {
      double shift = act == Activation::softplus ? 0.0 : std::log(2.0);
      if (z > SOFTPLUS_THRESHOLD) {
        value = z - shift;
        slope = 1.0;
      } else {
        double e = std::exp(z);
        value = std::log1p(e) - shift;
        slope = e / (e + 1.0);
      }
      return;
    }
    case Activation::silu: {
      double s = 1.0 / (1.0 + std::exp(-z));
      value = z * s;
      slope = s * (1.0 + z * (1.0 - s));
      return;
    }
    case Activation::sigmoid:
    case Activation::reverse_sigmoid: {
      double sign = act == Activation::sigmoid ? 1.0 : -1.0;
      double s = 1.0 / (1.0 + std::exp(-sign * z));
      value = s;
      slope = sign * s * (1.0 - s);
      return;
    }
    case Activation::gaussian: {
      value = std::exp(-0.5 * z * z);
      slope = -z * value;
      return;
    }
    case Activation::relu: {
      value = z > 0.0 ? z : 0.0;
      slope = z > 0.0 ? 1.0 : 0.0;
      return;
    }
    case Activation::selu: {
      double e = SELU_ALPHA * std::exp(z);
      value = SELU_SCALE * (z > 0.0 ? z : e - SELU_ALPHA);
      slope = SELU_SCALE * (z > 0.0 ? 1.0 : e);
      return;
    }
    case Activation::cos: {
      value = std::cos(z);
      slope = -std::sin(z);
      return;
    }
    case Activation::negative_exp: {
      value = std::exp(-z);
      slope = -value;
      return;
    }
    case Activation::square: {
      value = z * z;
      slope = 2.0 * z;
      return;
    }
    case Activation::linear:
      break;
  }
  value = z;
  slope = 1.0;
}

}    // namespace

Network::Network(const std::vector<Layer> &layers) : layers_(layers)
{
  std::size_t width = 0;
  for (const auto &layer : layers_) {
    value_.emplace_back(layer.n_out);
    slope_.emplace_back(layer.n_out);
    width = std::max<std::size_t>(width, std::max(layer.n_in, layer.n_out));
  }
  back_.resize(width);
  back_next_.resize(width);
}

double Network::energy_and_gradient(const double *g, double *dedg)
{
  const double *x = g;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer &layer = layers_[l];
    double *z = value_[l].data();
    const int n_out = layer.n_out;
    for (int o = 0; o < n_out; ++o) z[o] = layer.biases[o];
    for (int k = 0; k < layer.n_in; ++k) {
      const double xk = x[k];
      const double *w = &layer.weights[static_cast<std::size_t>(k) * n_out];
      for (int o = 0; o < n_out; ++o) z[o] += xk * w[o];
    }
    double *slope = slope_[l].data();
    if (layer.activation == Activation::tanh) {    // the common case, in a loop that vectorises
#pragma omp simd
      for (int o = 0; o < n_out; ++o) {
        z[o] = fast_tanh(z[o]);
        slope[o] = 1.0 - z[o] * z[o];
      }
    } else {
      for (int o = 0; o < n_out; ++o) activate(layer.activation, z[o], z[o], slope[o]);
    }
    x = z;
  }
  const double energy = value_.back()[0];
  // backward: d = dE/d(z of layer l), starting from the output
  double *d = back_.data();
  double *prev = back_next_.data();
  d[0] = slope_.back()[0];
  for (std::size_t l = layers_.size(); l-- > 0;) {
    const Layer &layer = layers_[l];
    const int n_out = layer.n_out;
    double *target = l == 0 ? dedg : prev;
    for (int k = 0; k < layer.n_in; ++k) {
      const double *w = &layer.weights[static_cast<std::size_t>(k) * n_out];
      double acc = 0.0;
      for (int o = 0; o < n_out; ++o) acc += w[o] * d[o];
      target[k] = l == 0 ? acc : acc * slope_[l - 1][k];
    }
    std::swap(d, prev);
  }
  return energy;
}

}    // namespace mlpot
