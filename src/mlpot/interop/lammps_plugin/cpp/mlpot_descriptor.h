/* Symmetry-function descriptors of one atom and the chain rule back to its neighbours, with
   the definitions of mlpot.descriptors.symmetry_functions (radial G2, angular G4 "narrow",
   G5 "wide", and G5 on two shells) and mlpot.descriptors.cutoffs.

   Usage per central atom: compute() with its neighbours, then gradient() with dE/dG. */

#ifndef MLPOT_DESCRIPTOR_H
#define MLPOT_DESCRIPTOR_H

#include "mlpot_model.h"

#include <vector>

namespace mlpot {

class Descriptor {
 public:
  explicit Descriptor(const Model &model);

  // descriptors g (n_functions(c)) of an atom of element c with n neighbours: their elements
  // (n) and vectors r_ij = R_j - R_i (n x 3, Å); neighbours at or beyond the cutoff add nothing
  void compute(int c, int n, const int *elements, const double *vectors, double *g);
  // dE/dr_ij (n x 3, eV/Å) of the neighbours of the last compute(), from dE/dG
  void gradient(const double *dedg, double *grad);

  int n_functions(int c) const { return static_cast<int>(centres_[c].n_functions); }
  double cutoff() const { return cutoff_; }

 private:
  struct Radial {
    int column, cut;
    double eta, rs;
  };
  struct Combo {    // radial factor R(r) = exp(-eta (r - rs)^2) f_c(r) of angular functions
    int cut;
    double eta, rs;
  };
  struct Term {    // angular term 2^(1 - zeta) (1 + lambda cos)^zeta
    double lambda, zeta, prefactor;
    int izeta;    // zeta when it is a whole number, else -1
  };
  struct Group {    // functions sharing their radial factors
    int combo1, combo2;
    bool narrow;
    std::vector<int> columns, terms;
    int jk_cut = -1;    // narrow: row of the segment's f_c(r_jk) at the group's cutoff
  };
  struct Key {    // the angular functions of one neighbour-element pair (e1 <= e2)
    int e1, e2;
    bool all_narrow;
    std::vector<Term> terms;
    std::vector<Group> groups;
    std::vector<int> jk_cuts;    // cutoff radii (indices) of the narrow groups
  };
  struct Centre {
    std::size_t n_functions = 0;
    std::vector<std::vector<Radial>> radial;    // per neighbour element
    std::vector<Combo> combos;
    std::vector<Key> keys;
  };
  struct Segment {    // triplets of one key and everything the gradient needs
    std::size_t size = 0;
    std::vector<int> j, k;
    std::vector<int> run_start;    // triplets of one j: run_start[q] .. run_start[q + 1] - 1
    std::vector<double> rjk, cos, fc, dfc;    // fc, dfc: per entry of key.jk_cuts
    std::vector<double> value, slope;    // per term: angular term and its cos-derivative
    std::vector<double> base, base_ij, base_ik, base_jk;    // per group: radial product
  };

  struct Block;
  void neighbours(int n, const int *elements, const double *vectors);
  void radial_terms(const Centre &centre, double *g);
  void triplets(const Key &key, Segment &seg);
  void angular_values(const Key &key, Segment &seg);
  void angular_terms(const Key &key, Segment &seg, double *g);
  void triplet_gradient(const Key &key, Segment &seg, const double *dedg);

  std::vector<Centre> centres_;
  std::vector<double> cut_radius_;
  int cutoff_code_;
  double cutoff_alpha_, cutoff_;
  int n_elements_;
  // the current atom
  int centre_ = 0, n_ = 0, n_all_ = 0;
  std::vector<int> fill_;
  std::vector<double> candidate_rjk2_, candidate_cos_;    // per neighbour k of one j
  std::vector<int> index_, start_;           // local order (by element) -> caller's index
  std::vector<double> x_, y_, z_, r_, inv_r_;
  std::vector<double> fc_, dfc_;             // per cutoff radius (n_cut x n)
  std::vector<double> combo_, combo_d_;      // per combo (n_combo x n)
  std::vector<double> radial_d_;             // per radial function (n_radial x n)
  std::vector<double> d_r_, gx_, gy_, gz_;
  std::vector<Segment> segments_;            // per key of the centre
  std::vector<double> sum_value_, sum_slope_, d_cos_, d_ij_, d_ik_, d_jk_;
};

}    // namespace mlpot

#endif
