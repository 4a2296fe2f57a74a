/* LAMMPS pair style mlpot (see pair_mlpot.h for its commands). */

#include "pair_mlpot.h"

#include "mlpot_descriptor.h"
#include "mlpot_model.h"
#include "mlpot_network.h"

#include "atom.h"
#include "comm.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neigh_list.h"
#include "neighbor.h"
#include "update.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

using namespace LAMMPS_NS;

namespace {
// descriptor values beyond a bound by less than this fraction of the bound's magnitude (or of
// the range width, if larger) are rounding (mlpot.models.descriptor_range.RELATIVE_TOLERANCE)
constexpr double RANGE_TOLERANCE = 1e-6;
constexpr int GHOST_VALUES = 9;    // force (3) and virial (6) per atom
}    // namespace

PairMlpot::PairMlpot(LAMMPS *lmp) : Pair(lmp)
{
  single_enable = 0;
  restartinfo = 0;
  one_coeff = 1;
  manybody_flag = 1;
  no_virial_fdotr_compute = 1;
  comm_reverse = comm_reverse_off = GHOST_VALUES;
  nextra = 2;
  pvector = new double[nextra]();
}

PairMlpot::~PairMlpot()
{
  delete[] pvector;
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
  }
}

void PairMlpot::allocate()
{
  allocated = 1;
  const int n = atom->ntypes + 1;
  memory->create(setflag, n, n, "pair:setflag");
  memory->create(cutsq, n, n, "pair:cutsq");
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) setflag[i][j] = 0;
}

void PairMlpot::settings(int narg, char **arg)
{
  for (int k = 0; k < narg; k += 2) {
    if (k + 1 >= narg)
      error->all(FLERR, std::string("pair_style mlpot: ") + arg[k] + " needs a value");
    const std::string key = arg[k], value = arg[k + 1];
    if (key == "extrapolation" && (value == "yes" || value == "no")) {
      extrapolation_ = value == "yes";
    } else if (key == "maxwarn" && value.find_first_not_of("0123456789") == std::string::npos) {
      maxwarn_ = std::atoi(value.c_str());
    } else {
      error->all(FLERR, "pair_style mlpot: unknown setting '" + key + " " + value +
                            "'; use extrapolation yes|no, maxwarn N");
    }
  }
}

std::string PairMlpot::read_file(const std::string &path)
{
  std::string text;
  int ok = 1;
  if (comm->me == 0) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
    ok = in.good() || in.eof() ? !text.empty() : 0;
  }
  MPI_Bcast(&ok, 1, MPI_INT, 0, world);
  if (!ok) error->all(FLERR, "pair_coeff mlpot: cannot read the potential file " + path);
  long size = static_cast<long>(text.size());
  MPI_Bcast(&size, 1, MPI_LONG, 0, world);
  text.resize(size);
  MPI_Bcast(&text[0], static_cast<int>(size), MPI_CHAR, 0, world);
  return text;
}

void PairMlpot::coeff(int narg, char **arg)
{
  if (!allocated) allocate();
  const int ntypes = atom->ntypes;
  if (narg != 3 + ntypes || strcmp(arg[0], "*") != 0 || strcmp(arg[1], "*") != 0)
    error->all(FLERR, "pair_coeff mlpot: use pair_coeff * * FILE followed by one element (or "
                      "NULL) per atom type, " + std::to_string(ntypes) + " here");
  const std::string path = arg[2];
  try {
    model_ = std::make_unique<mlpot::Model>(mlpot::parse_model(read_file(path)));
  } catch (const std::exception &problem) {
    error->all(FLERR, "pair_coeff mlpot: " + path + ", " + problem.what());
  }
  element_of_type_.assign(ntypes + 1, -1);
  for (int t = 1; t <= ntypes; ++t) {
    const std::string symbol = arg[2 + t];
    if (symbol == "NULL") continue;
    element_of_type_[t] = model_->element_index(symbol);
    if (element_of_type_[t] < 0)
      error->all(FLERR, "pair_coeff mlpot: element " + symbol + " is not in " + path);
  }
  descriptor_ = std::make_unique<mlpot::Descriptor>(*model_);
  networks_.clear();
  low_.clear();
  high_.clear();
  for (const auto &element : model_->per_element) {
    networks_.push_back(std::make_unique<mlpot::Network>(element.layers));
    std::vector<double> low = element.low, high = element.high;
    for (std::size_t k = 0; k < low.size(); ++k) {
      double tol = RANGE_TOLERANCE *
          std::max(std::max(std::fabs(low[k]), std::fabs(high[k])), high[k] - low[k]);
      if (!std::isfinite(tol)) tol = 0.0;    // an empty range (no training atoms): no margin
      low[k] -= tol;
      high[k] += tol;
    }
    low_.push_back(low);
    high_.push_back(high);
  }
  cutoff_ = model_->cutoff();
  for (int i = 1; i <= ntypes; ++i)
    for (int j = i; j <= ntypes; ++j)
      setflag[i][j] = element_of_type_[i] >= 0 && element_of_type_[j] >= 0;
}

void PairMlpot::init_style()
{
  if (!model_) error->all(FLERR, "pair_style mlpot needs a pair_coeff line");
  if (strcmp(update->unit_style, "metal") != 0)
    error->all(FLERR, "pair_style mlpot needs units metal (eV, Å)");
  neighbor->add_request(this, NeighConst::REQ_FULL);
  warned_ = 0;
  for (const auto &low : low_)
    if (extrapolation_ && low.empty() && comm->me == 0)
      error->warning(FLERR, "pair mlpot: the potential file holds no training ranges: "
                            "extrapolation is not counted for every element");
}

double PairMlpot::init_one(int, int)
{
  return cutoff_;
}

void PairMlpot::compute(int eflag, int vflag)
{
  ev_init(eflag, vflag);
  double **x = atom->x;
  double **f = atom->f;
  const int *type = atom->type;
  const int nlocal = atom->nlocal;
  const int nall = nlocal + atom->nghost;
  use_ghost_buffer_ = !force->newton_pair;
  if (use_ghost_buffer_) ghost_.assign(static_cast<std::size_t>(nall) * GHOST_VALUES, 0.0);
  pvector[0] = pvector[1] = 0.0;
  const double cutsq_max = cutoff_ * cutoff_;

  for (int ii = 0; ii < list->inum; ++ii) {
    const int i = list->ilist[ii];
    const int c = element_of_type_[type[i]];
    if (c < 0) continue;
    neighbour_.clear();
    element_.clear();
    vector_.clear();
    const int *jlist = list->firstneigh[i];
    for (int jj = 0; jj < list->numneigh[i]; ++jj) {
      const int j = jlist[jj] & NEIGHMASK;
      const int e = element_of_type_[type[j]];
      const double dx = x[j][0] - x[i][0], dy = x[j][1] - x[i][1], dz = x[j][2] - x[i][2];
      if (e < 0 || dx * dx + dy * dy + dz * dz >= cutsq_max) continue;
      neighbour_.push_back(j);
      element_.push_back(e);
      vector_.insert(vector_.end(), {dx, dy, dz});
    }
    const int n = static_cast<int>(neighbour_.size());
    g_.resize(descriptor_->n_functions(c));
    dedg_.resize(g_.size());
    grad_.resize(3 * static_cast<std::size_t>(n));
    descriptor_->compute(c, n, element_.data(), vector_.data(), g_.data());
    if (extrapolation_) {
      const int outside = count_extrapolation(c, g_.data());
      pvector[0] += outside > 0;
      pvector[1] += outside;
    }
    const double energy = networks_[c]->energy_and_gradient(g_.data(), dedg_.data());
    descriptor_->gradient(dedg_.data(), grad_.data());
    add_atom(i, energy, n);
  }

  if (use_ghost_buffer_) {
    comm->reverse_comm(this);
    for (int i = 0; i < nlocal; ++i) {
      const double *b = &ghost_[static_cast<std::size_t>(i) * GHOST_VALUES];
      for (int k = 0; k < 3; ++k) f[i][k] += b[k];
      if (vflag_atom)
        for (int k = 0; k < 6; ++k) vatom[i][k] += b[3 + k];
    }
  }
  if (extrapolation_) report_extrapolation();
}

// energy, forces and virial of central atom i from dE_i/dr_ij of its n neighbours
void PairMlpot::add_atom(int i, double energy, int n)
{
  double **f = atom->f;
  const int nlocal = atom->nlocal;
  if (eflag_global) eng_vdwl += energy;
  if (eflag_atom) eatom[i] += energy;
  for (int a = 0; a < n; ++a) {
    const double *g = &grad_[3 * a];
    const double *r = &vector_[3 * a];
    const int j = neighbour_[a];
    double *fj = j < nlocal || !use_ghost_buffer_ ? f[j] : &ghost_[j * GHOST_VALUES];
    for (int k = 0; k < 3; ++k) {
      f[i][k] += g[k];
      fj[k] -= g[k];
    }
    if (!vflag_either) continue;
    // the pair's virial: r_i f_i + r_j f_j = -r_ij (x) dE_i/dr_ij
    const double v[6] = {-r[0] * g[0], -r[1] * g[1], -r[2] * g[2],
                         -r[0] * g[1], -r[0] * g[2], -r[1] * g[2]};
    if (vflag_global)
      for (int k = 0; k < 6; ++k) virial[k] += v[k];
    if (vflag_atom) {
      double *vj = j < nlocal || !use_ghost_buffer_ ? vatom[j] : &ghost_[j * GHOST_VALUES + 3];
      for (int k = 0; k < 6; ++k) {
        vatom[i][k] += 0.5 * v[k];
        vj[k] += 0.5 * v[k];
      }
    }
  }
}

int PairMlpot::count_extrapolation(int c, const double *g) const
{
  const std::vector<double> &low = low_[c], &high = high_[c];
  int outside = 0;
  for (std::size_t k = 0; k < low.size(); ++k) outside += g[k] < low[k] || g[k] > high[k];
  return outside;
}

void PairMlpot::report_extrapolation()
{
  double total[2];
  MPI_Allreduce(pvector, total, 2, MPI_DOUBLE, MPI_SUM, world);
  if (total[0] > 0 && warned_ < maxwarn_ && comm->me == 0) {
    ++warned_;
    error->warning(FLERR, "pair mlpot: step " + std::to_string(update->ntimestep) + ": " +
                              std::to_string(static_cast<long>(total[0])) + " atoms with " +
                              std::to_string(static_cast<long>(total[1])) +
                              " descriptor values outside the training range");
  }
}

int PairMlpot::pack_reverse_comm(int n, int first, double *buf)
{
  int m = 0;
  for (int i = first; i < first + n; ++i)
    for (int k = 0; k < GHOST_VALUES; ++k) buf[m++] = ghost_[i * GHOST_VALUES + k];
  return m;
}

void PairMlpot::unpack_reverse_comm(int n, int *list, double *buf)
{
  int m = 0;
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < GHOST_VALUES; ++k) ghost_[list[i] * GHOST_VALUES + k] += buf[m++];
}

double PairMlpot::memory_usage()
{
  return Pair::memory_usage() + sizeof(double) * (ghost_.size() + vector_.size() + grad_.size());
}
