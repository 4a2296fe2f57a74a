/* LAMMPS pair style mlpot: mlpot's symmetry-function neural network potentials.

   pair_style mlpot [extrapolation yes|no] [maxwarn N]
   pair_coeff * * FILE E1 E2 ...     (FILE from `mlpot export MODEL FILE --format lammps`;
                                      Ei: the model element of LAMMPS type i, or NULL)

   Units metal. Energies per atom (compute pe/atom) and per-atom virials (compute
   stress/atom) are tallied; newton pair on or off. With extrapolation yes, descriptors
   outside their training range are counted (`compute ID all pair mlpot`: c_ID[1] atoms,
   c_ID[2] descriptor values) and up to maxwarn steps with any are reported. */

#ifndef LMP_PAIR_MLPOT_H
#define LMP_PAIR_MLPOT_H

#include "pair.h"

#include <memory>
#include <vector>

namespace mlpot {
class Descriptor;
class Network;
struct Model;
}    // namespace mlpot

namespace LAMMPS_NS {

class PairMlpot : public Pair {
 public:
  PairMlpot(class LAMMPS *);
  ~PairMlpot() override;

  void compute(int, int) override;
  void settings(int, char **) override;
  void coeff(int, char **) override;
  void init_style() override;
  double init_one(int, int) override;
  int pack_reverse_comm(int, int, double *) override;
  void unpack_reverse_comm(int, int *, double *) override;
  double memory_usage() override;

 private:
  void allocate();
  std::string read_file(const std::string &path);
  void add_atom(int i, double energy, int n);
  int count_extrapolation(int c, const double *g) const;
  void report_extrapolation();

  std::unique_ptr<mlpot::Model> model_;
  std::unique_ptr<mlpot::Descriptor> descriptor_;
  std::vector<std::unique_ptr<mlpot::Network>> networks_;
  std::vector<int> element_of_type_;    // LAMMPS type -> model element, -1 for NULL
  double cutoff_ = 0.0;
  bool extrapolation_ = false;
  int maxwarn_ = 10, warned_ = 0;
  std::vector<std::vector<double>> low_, high_;    // tolerant training ranges per element
  // the current atom's neighbours and the ghost-atom buffer of newton pair off
  std::vector<int> neighbour_, element_;
  std::vector<double> vector_, g_, dedg_, grad_;
  std::vector<double> ghost_;    // (nall x 9): force, then virial, of atoms not owned here
  bool use_ghost_buffer_ = false;
};

}    // namespace LAMMPS_NS

#endif
