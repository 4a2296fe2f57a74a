/* Symmetry functions of one atom (formulas: mlpot.descriptors.symmetry_functions, cutoffs).

   Neighbours are kept in local arrays ordered by element. Angular functions are grouped as in
   mlpot.descriptors.tables: per neighbour-element pair ("key"), by their radial factors
   R_u(r) = exp(-eta_u (r - rs_u)^2) f_c(r) ("combo", one evaluation per neighbour) and by their
   angular term 2^(1 - zeta) (1 + lambda cos)^zeta ("term", one evaluation per triplet).
   compute() keeps every factor the chain rule needs, so gradient() evaluates no exponential. */

#include "mlpot_descriptor.h"

#include "mlpot_math.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace mlpot {

namespace {

const double PI = 3.14159265358979323846;

// f_c(r) and its derivative for n2p2 cutoff type `code` (mlpot.descriptors.cutoffs)
inline void cutoff_function(int code, double alpha, double rc, double r, double &f, double &df)
{
  f = df = 0.0;
  if (r >= rc) return;
  if (code == 0) {
    f = 1.0;
    return;
  }
  if (code == 2 || code == 3) {
    const double t = std::tanh(1.0 - r / rc);
    const double norm = code == 2 ? 1.0 : 1.0 / std::pow(std::tanh(1.0), 3);
    f = norm * t * t * t;
    df = -norm * 3.0 * t * t * (1.0 - t * t) / rc;
    return;
  }
  const double rci = alpha * rc;
  if (r <= rci) {
    f = 1.0;
    return;
  }
  const double w = rc - rci;
  const double x = (r - rci) / w;
  const double xm = x - 1.0;
  switch (code) {
    case 1: {
      double c, s;
      cos_sin_pi(x, c, s);
      f = 0.5 * (c + 1.0);
      df = -0.5 * PI * s / w;
      return;
    }
    case 4: {
      const double y = 1.0 - x * x;
      f = std::exp(1.0 - 1.0 / y);
      df = -2.0 * x / (y * y) * f / w;
      return;
    }
    case 5:
      f = (2.0 * x - 3.0) * x * x + 1.0;
      df = 6.0 * x * xm / w;
      return;
    case 6:
      f = ((15.0 - 6.0 * x) * x - 10.0) * x * x * x + 1.0;
      df = -30.0 * (x * xm) * (x * xm) / w;
      return;
    case 7:
      f = (x * (x * (20.0 * x - 70.0) + 84.0) - 35.0) * x * x * x * x + 1.0;
      df = 140.0 * std::pow(x * xm, 3) / w;
      return;
    default:
      f = (x * (x * (x * (315.0 - 70.0 * x) - 540.0) + 420.0) - 126.0) * std::pow(x, 5) + 1.0;
      df = -630.0 * std::pow(x * xm, 4) / w;
  }
}

}    // namespace

// up to four functions of a group from its f-th, handled in one pass over the triplets: the
// rows of their angular terms and weights dE/dG (weight 0 for the rows past the group's end)
struct Descriptor::Block {
  std::size_t size;
  double w[4];
  const double *value[4], *slope[4];

  Block(const Group &group, std::size_t f, const double *dedg, const double *values,
        const double *slopes, std::size_t m) :
      size(std::min<std::size_t>(4, group.columns.size() - f))
  {
    for (std::size_t q = 0; q < 4; ++q) {
      const std::size_t k = f + std::min(q, size - 1);
      w[q] = q < size && dedg ? dedg[group.columns[k]] : 0.0;
      value[q] = values + group.terms[k] * m;
      slope[q] = slopes + group.terms[k] * m;
    }
  }
};

namespace {

// f_c and its derivative at every r[p], p < n; the cos cutoff, the common case, without
// branches so that the loop vectorises
void cutoff_functions(int code, double alpha, double rc, const double *r, std::size_t n,
                      double *__restrict f, double *__restrict df)
{
  if (code != 1) {
    for (std::size_t p = 0; p < n; ++p) cutoff_function(code, alpha, rc, r[p], f[p], df[p]);
    return;
  }
  const double rci = alpha * rc, w = rc - rci;
#pragma omp simd
  for (std::size_t p = 0; p < n; ++p) {
    const double x = std::min(std::max((r[p] - rci) / w, 0.0), 1.0);
    double c, s;
    cos_sin_pi(x, c, s);
    const bool inside = r[p] < rc;
    f[p] = inside ? 0.5 * (c + 1.0) : 0.0;
    df[p] = inside ? -0.5 * PI * s / w : 0.0;
  }
}

// angular terms pref (1 + lambda cos)^zeta and their cos-derivatives over slope_pref, with
// (1 + lambda cos)^(zeta - 1) by squaring (BITS: bits of zeta - 1), in one vector loop
template <int BITS>
void angular_powers_of(double lambda, int exponent, double pref, double slope_pref,
                       const double *cos, std::size_t m, double *__restrict value,
                       double *__restrict slope)
{
#pragma omp simd
  for (std::size_t p = 0; p < m; ++p) {
    const double base = std::max(1.0 + lambda * cos[p], 0.0);
    double power = 1.0, square = base;
    for (int b = 0; b < BITS; ++b) {
      power *= (exponent >> b) & 1 ? square : 1.0;
      square *= square;
    }
    value[p] = pref * power * base;
    slope[p] = slope_pref * power;
  }
}

constexpr int MAX_SQUARED_ZETA = 256;

void angular_powers(double lambda, int zeta, double pref, double slope_pref, const double *cos,
                    std::size_t m, double *value, double *slope)
{
  const int exponent = zeta - 1;
  int bits = 0;
  while (exponent >> bits) ++bits;
  using Kernel = void (*)(double, int, double, double, const double *, std::size_t, double *,
                          double *);
  static constexpr Kernel KERNELS[] = {
      angular_powers_of<0>, angular_powers_of<1>, angular_powers_of<2>,
      angular_powers_of<3>, angular_powers_of<4>, angular_powers_of<5>,
      angular_powers_of<6>, angular_powers_of<7>, angular_powers_of<8>};
  KERNELS[bits](lambda, exponent, pref, slope_pref, cos, m, value, slope);
}

template <class T, class Key>
int index_of(std::vector<T> &items, std::map<Key, int> &seen, const Key &key, const T &item)
{
  auto found = seen.find(key);
  if (found != seen.end()) return found->second;
  items.push_back(item);
  return seen[key] = static_cast<int>(items.size()) - 1;
}

}    // namespace

Descriptor::Descriptor(const Model &model) :
    cutoff_code_(model.cutoff_code), cutoff_alpha_(model.cutoff_alpha), cutoff_(model.cutoff()),
    n_elements_(static_cast<int>(model.elements.size()))
{
  for (const auto &element : model.per_element)
    for (const auto &sf : element.functions) cut_radius_.push_back(sf.cutoff);
  std::sort(cut_radius_.begin(), cut_radius_.end());
  cut_radius_.erase(std::unique(cut_radius_.begin(), cut_radius_.end()), cut_radius_.end());
  auto cut_of = [&](double rc) {
    return static_cast<int>(std::lower_bound(cut_radius_.begin(), cut_radius_.end(), rc) -
                            cut_radius_.begin());
  };
  for (const auto &element : model.per_element) {
    Centre centre;
    centre.n_functions = element.functions.size();
    centre.radial.resize(n_elements_);
    std::map<std::tuple<double, double, int>, int> combos;
    std::map<std::pair<int, int>, int> keys;
    std::vector<std::map<std::pair<double, double>, int>> terms;
    std::vector<std::map<std::tuple<int, int, bool>, int>> groups;
    for (std::size_t col = 0; col < element.functions.size(); ++col) {
      const SymmetryFunction &sf = element.functions[col];
      const int cut = cut_of(sf.cutoff);
      if (sf.kind == FunctionKind::radial) {
        centre.radial[sf.neighbour1].push_back({static_cast<int>(col), cut, sf.eta, sf.rs});
        continue;
      }
      const int q = index_of(centre.keys, keys, std::make_pair(sf.neighbour1, sf.neighbour2),
                             Key{sf.neighbour1, sf.neighbour2, true, {}, {}});
      terms.resize(centre.keys.size());
      groups.resize(centre.keys.size());
      Key &key = centre.keys[q];
      const int u = index_of(centre.combos, combos, std::make_tuple(sf.eta, sf.rs, cut),
                             Combo{cut, sf.eta, sf.rs});
      const int v =
          index_of(centre.combos, combos, std::make_tuple(sf.eta, sf.rs2, cut),
                   Combo{cut, sf.eta, sf.rs2});
      const bool narrow = sf.kind == FunctionKind::narrow;
      const Term term{sf.lambda, sf.zeta, std::pow(2.0, 1.0 - sf.zeta),
                      sf.zeta == std::floor(sf.zeta) ? static_cast<int>(sf.zeta) : -1};
      const int t = index_of(key.terms, terms[q], std::make_pair(sf.lambda, sf.zeta), term);
      const int j = index_of(key.groups, groups[q], std::make_tuple(u, v, narrow),
                                 Group{u, v, narrow, {}, {}});
      if (narrow && key.groups[j].jk_cut < 0) {
        auto slot = std::find(key.jk_cuts.begin(), key.jk_cuts.end(), cut);
        key.groups[j].jk_cut = static_cast<int>(slot - key.jk_cuts.begin());
        if (slot == key.jk_cuts.end()) key.jk_cuts.push_back(cut);
      }
      key.groups[j].columns.push_back(static_cast<int>(col));
      key.groups[j].terms.push_back(t);
      key.all_narrow = key.all_narrow && narrow;
    }
    centres_.push_back(centre);
  }
}

void Descriptor::compute(int c, int n, const int *elements, const double *vectors, double *g)
{
  centre_ = c;
  neighbours(n, elements, vectors);
  const Centre &centre = centres_[c];
  for (std::size_t col = 0; col < centre.n_functions; ++col) g[col] = 0.0;
  const int m = n_;
  fc_.resize(cut_radius_.size() * m);
  dfc_.resize(cut_radius_.size() * m);
  for (std::size_t k = 0; k < cut_radius_.size(); ++k)
    cutoff_functions(cutoff_code_, cutoff_alpha_, cut_radius_[k], r_.data(), m, &fc_[k * m],
                     &dfc_[k * m]);
  radial_terms(centre, g);
  combo_.resize(centre.combos.size() * m);
  combo_d_.resize(centre.combos.size() * m);
  for (std::size_t u = 0; u < centre.combos.size(); ++u) {
    const Combo &combo = centre.combos[u];
    const double *f = &fc_[combo.cut * m], *df = &dfc_[combo.cut * m];
    for (int a = 0; a < m; ++a) {
      const double d = r_[a] - combo.rs;
      const double e = fast_exp(-combo.eta * d * d);
      combo_[u * m + a] = e * f[a];
      combo_d_[u * m + a] = e * (df[a] - 2.0 * combo.eta * d * f[a]);
    }
  }
  segments_.resize(centre.keys.size());
  for (std::size_t q = 0; q < centre.keys.size(); ++q) {
    triplets(centre.keys[q], segments_[q]);
    angular_terms(centre.keys[q], segments_[q], g);
  }
}

void Descriptor::neighbours(int n, const int *elements, const double *vectors)
{
  const double rc2 = cutoff_ * cutoff_;
  start_.assign(n_elements_ + 1, 0);
  for (int a = 0; a < n; ++a) {
    const double *v = vectors + 3 * a;
    if (v[0] * v[0] + v[1] * v[1] + v[2] * v[2] < rc2) ++start_[elements[a] + 1];
  }
  for (int e = 0; e < n_elements_; ++e) start_[e + 1] += start_[e];
  n_ = start_[n_elements_];
  index_.resize(n_);
  x_.resize(n_);
  y_.resize(n_);
  z_.resize(n_);
  r_.resize(n_);
  inv_r_.resize(n_);
  std::vector<int> &fill = fill_;
  fill.assign(start_.begin(), start_.end() - 1);
  for (int a = 0; a < n; ++a) {
    const double *v = vectors + 3 * a;
    const double r2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
    if (r2 >= rc2) continue;
    const int b = fill[elements[a]]++;
    index_[b] = a;
    x_[b] = v[0];
    y_[b] = v[1];
    z_[b] = v[2];
    r_[b] = std::sqrt(r2);
    inv_r_[b] = 1.0 / r_[b];
  }
  n_all_ = n;
}

void Descriptor::radial_terms(const Centre &centre, double *g)
{
  const int m = n_;
  std::size_t rows = 0;
  for (const auto &list : centre.radial) rows += list.size();
  radial_d_.resize(rows * m);
  std::size_t row = 0;
  for (int e = 0; e < n_elements_; ++e) {
    for (const Radial &sf : centre.radial[e]) {
      const double *f = &fc_[sf.cut * m], *df = &dfc_[sf.cut * m];
      double *out = &radial_d_[row++ * m];
      double acc = 0.0;
      for (int a = start_[e]; a < start_[e + 1]; ++a) {
        const double d = r_[a] - sf.rs;
        const double v = fast_exp(-sf.eta * d * d);
        acc += v * f[a];
        out[a] = v * (df[a] - 2.0 * sf.eta * d * f[a]);
      }
      g[sf.column] += acc;
    }
  }
}

void Descriptor::triplets(const Key &key, Segment &seg)
{
  const int a0 = start_[key.e1], a1 = start_[key.e1 + 1];
  const int b1 = start_[key.e2 + 1];
  const std::size_t most = static_cast<std::size_t>(a1 - a0) * (b1 - start_[key.e2]);
  if (seg.j.size() < most) {
    for (auto *v : {&seg.j, &seg.k}) v->resize(most);
    for (auto *v : {&seg.rjk, &seg.cos}) v->resize(most);
  }
  const double rc2 = key.all_narrow ? cutoff_ * cutoff_ : INFINITY;
  int *tj = seg.j.data(), *tk = seg.k.data();
  double *rjk = seg.rjk.data(), *cos = seg.cos.data();
  const double *x = x_.data(), *y = y_.data(), *z = z_.data(), *inv_r = inv_r_.data();
  candidate_rjk2_.resize(n_);
  candidate_cos_.resize(n_);
  double *__restrict c_rjk2 = candidate_rjk2_.data(), *__restrict c_cos = candidate_cos_.data();
  std::size_t m = 0;
  seg.run_start.assign(1, 0);
  for (int a = a0; a < a1; ++a) {
    const double xa = x[a], ya = y[a], za = z[a], ia = inv_r[a];
    const int b0 = key.e1 == key.e2 ? a + 1 : start_[key.e2];
#pragma omp simd
    for (int b = b0; b < b1; ++b) {    // every candidate k, in a loop that vectorises
      const double dx = x[b] - xa, dy = y[b] - ya, dz = z[b] - za;
      c_rjk2[b] = dx * dx + dy * dy + dz * dz;
      c_cos[b] = (xa * x[b] + ya * y[b] + za * z[b]) * ia * inv_r[b];
    }
    for (int b = b0; b < b1; ++b) {    // kept without a branch: the next overwrites one beyond
      tj[m] = a;
      tk[m] = b;
      rjk[m] = c_rjk2[b];
      cos[m] = c_cos[b];
      m += c_rjk2[b] < rc2;
    }
    if (m > static_cast<std::size_t>(seg.run_start.back())) seg.run_start.push_back(m);
  }
  seg.size = m;
  for (std::size_t p = 0; p < m; ++p) rjk[p] = std::sqrt(rjk[p]);
}

void Descriptor::angular_values(const Key &key, Segment &seg)
{
  const std::size_t m = seg.size;
  seg.value.resize(key.terms.size() * m);
  seg.slope.resize(key.terms.size() * m);
  const double *cos = seg.cos.data();
  for (std::size_t t = 0; t < key.terms.size(); ++t) {
    const Term &term = key.terms[t];
    double *__restrict value = &seg.value[t * m], *__restrict slope = &seg.slope[t * m];
    const double lambda = term.lambda, pref = term.prefactor;
    const double slope_pref = term.prefactor * term.zeta * lambda;
    if (term.izeta > 0 && term.izeta <= MAX_SQUARED_ZETA) {
      angular_powers(lambda, term.izeta, pref, slope_pref, cos, m, value, slope);
    } else {
      for (std::size_t p = 0; p < m; ++p) {
        const double base = std::max(1.0 + lambda * cos[p], 0.0);
        const double power = std::pow(base, term.zeta - 1.0);
        value[p] = pref * power * base;
        slope[p] = slope_pref * power;
      }
    }
  }
  seg.fc.resize(key.jk_cuts.size() * m);
  seg.dfc.resize(key.jk_cuts.size() * m);
  for (std::size_t q = 0; q < key.jk_cuts.size(); ++q)
    cutoff_functions(cutoff_code_, cutoff_alpha_, cut_radius_[key.jk_cuts[q]], seg.rjk.data(), m,
                     &seg.fc[q * m], &seg.dfc[q * m]);
}

void Descriptor::angular_terms(const Key &key, Segment &seg, double *g)
{
  angular_values(key, seg);
  const std::size_t m = seg.size;
  const Centre &centre = centres_[centre_];
  const int n = n_;
  const int *tj = seg.j.data(), *tk = seg.k.data();
  const std::size_t n_groups = key.groups.size();
  for (auto *v : {&seg.base, &seg.base_ij, &seg.base_ik, &seg.base_jk}) v->resize(n_groups * m);
  for (std::size_t j = 0; j < n_groups; ++j) {
    const Group &group = key.groups[j];
    const double *ru = &combo_[group.combo1 * n], *du = &combo_d_[group.combo1 * n];
    const double *rv = &combo_[group.combo2 * n], *dv = &combo_d_[group.combo2 * n];
    double *__restrict base = &seg.base[j * m], *__restrict bij = &seg.base_ij[j * m];
    double *__restrict bik = &seg.base_ik[j * m], *__restrict bjk = &seg.base_jk[j * m];
    if (group.combo1 != group.combo2) {    // two shells: (R_u(r_ij) R_v(r_ik) + R_v R_u) / 2
#pragma omp simd
      for (std::size_t p = 0; p < m; ++p) {
        const int a = tj[p], b = tk[p];
        base[p] = 0.5 * (ru[a] * rv[b] + rv[a] * ru[b]);
        bij[p] = 0.5 * (du[a] * rv[b] + dv[a] * ru[b]);
        bik[p] = 0.5 * (ru[a] * dv[b] + rv[a] * du[b]);
        bjk[p] = 0.0;
      }
    } else if (group.narrow) {    // times R(r_jk)
      const Combo &combo = centre.combos[group.combo1];
      const double *f = &seg.fc[group.jk_cut * m], *df = &seg.dfc[group.jk_cut * m];
      const double *rjk = seg.rjk.data();
      for (std::size_t p = 0; p < m; ++p) {
        const double d = rjk[p] - combo.rs;
        const double e = fast_exp(-combo.eta * d * d);
        base[p] = e * f[p];
        bjk[p] = e * (df[p] - 2.0 * combo.eta * d * f[p]);
      }
#pragma omp simd
      for (std::size_t p = 0; p < m; ++p) {
        const int a = tj[p], b = tk[p];
        const double fjk = base[p], ra = ru[a], rb = ru[b];
        base[p] = ra * rb * fjk;
        bij[p] = du[a] * rb * fjk;
        bik[p] = ra * du[b] * fjk;
        bjk[p] *= ra * rb;
      }
    } else {
#pragma omp simd
      for (std::size_t p = 0; p < m; ++p) {
        const int a = tj[p], b = tk[p];
        base[p] = ru[a] * ru[b];
        bij[p] = du[a] * ru[b];
        bik[p] = ru[a] * du[b];
        bjk[p] = 0.0;
      }
    }
    for (std::size_t f = 0; f < group.columns.size(); f += 4) {
      const Block block(group, f, nullptr, seg.value.data(), seg.slope.data(), m);
      const double *__restrict v0 = block.value[0], *__restrict v1 = block.value[1];
      const double *__restrict v2 = block.value[2], *__restrict v3 = block.value[3];
      double acc0 = 0.0, acc1 = 0.0, acc2 = 0.0, acc3 = 0.0;
#pragma omp simd reduction(+ : acc0, acc1, acc2, acc3)
      for (std::size_t p = 0; p < m; ++p) {
        acc0 += base[p] * v0[p];
        acc1 += base[p] * v1[p];
        acc2 += base[p] * v2[p];
        acc3 += base[p] * v3[p];
      }
      const double acc[4] = {acc0, acc1, acc2, acc3};
      for (std::size_t q = 0; q < block.size; ++q) g[group.columns[f + q]] += acc[q];
    }
  }
}

void Descriptor::gradient(const double *dedg, double *grad)
{
  const Centre &centre = centres_[centre_];
  const int m = n_;
  d_r_.assign(m, 0.0);
  std::size_t row = 0;
  for (int e = 0; e < n_elements_; ++e) {
    for (const Radial &sf : centre.radial[e]) {
      const double w = dedg[sf.column];
      const double *d = &radial_d_[row++ * m];
      for (int a = start_[e]; a < start_[e + 1]; ++a) d_r_[a] += w * d[a];
    }
  }
  gx_.resize(m);
  gy_.resize(m);
  gz_.resize(m);
  for (int a = 0; a < m; ++a) {
    const double s = d_r_[a] * inv_r_[a];
    gx_[a] = s * x_[a];
    gy_[a] = s * y_[a];
    gz_[a] = s * z_[a];
  }
  for (std::size_t q = 0; q < centre.keys.size(); ++q)
    triplet_gradient(centre.keys[q], segments_[q], dedg);
  std::fill(grad, grad + 3 * n_all_, 0.0);
  for (int a = 0; a < m; ++a) {
    double *out = grad + 3 * index_[a];
    out[0] = gx_[a];
    out[1] = gy_[a];
    out[2] = gz_[a];
  }
}

void Descriptor::triplet_gradient(const Key &key, Segment &seg, const double *dedg)
{
  const std::size_t m = seg.size;
  for (auto *v : {&d_cos_, &d_ij_, &d_ik_, &d_jk_}) v->assign(m, 0.0);
  sum_value_.resize(m);
  sum_slope_.resize(m);
  double *__restrict d_cos = d_cos_.data(), *__restrict d_ij = d_ij_.data();
  double *__restrict d_ik = d_ik_.data(), *__restrict d_jk = d_jk_.data();
  double *__restrict sum_value = sum_value_.data(), *__restrict sum_slope = sum_slope_.data();
  for (std::size_t j = 0; j < key.groups.size(); ++j) {
    const Group &group = key.groups[j];
    // sum over the group's functions of dE/dG times the angular term and its slope
    std::fill(sum_value, sum_value + m, 0.0);
    std::fill(sum_slope, sum_slope + m, 0.0);
    for (std::size_t f = 0; f < group.columns.size(); f += 4) {
      const Block block(group, f, dedg, seg.value.data(), seg.slope.data(), m);
      const double w0 = block.w[0], w1 = block.w[1], w2 = block.w[2], w3 = block.w[3];
      const double *__restrict v0 = block.value[0], *__restrict v1 = block.value[1];
      const double *__restrict v2 = block.value[2], *__restrict v3 = block.value[3];
      const double *__restrict s0 = block.slope[0], *__restrict s1 = block.slope[1];
      const double *__restrict s2 = block.slope[2], *__restrict s3 = block.slope[3];
#pragma omp simd
      for (std::size_t p = 0; p < m; ++p) {
        sum_value[p] += (w0 * v0[p] + w1 * v1[p]) + (w2 * v2[p] + w3 * v3[p]);
        sum_slope[p] += (w0 * s0[p] + w1 * s1[p]) + (w2 * s2[p] + w3 * s3[p]);
      }
    }
    const double *__restrict base = &seg.base[j * m], *__restrict bij = &seg.base_ij[j * m];
    const double *__restrict bik = &seg.base_ik[j * m], *__restrict bjk = &seg.base_jk[j * m];
#pragma omp simd
    for (std::size_t p = 0; p < m; ++p) {
      d_cos[p] += sum_slope[p] * base[p];
      d_ij[p] += sum_value[p] * bij[p];
      d_ik[p] += sum_value[p] * bik[p];
      d_jk[p] += sum_value[p] * bjk[p];
    }
  }
  const double *rjk = seg.rjk.data(), *cos = seg.cos.data();
  const double *x = x_.data(), *y = y_.data(), *z = z_.data(), *inv_r = inv_r_.data();
  double *gx = gx_.data(), *gy = gy_.data(), *gz = gz_.data();
  const int *tj = seg.j.data(), *tk = seg.k.data();
  for (std::size_t q = 0; q + 1 < seg.run_start.size(); ++q) {    // j's gradient in registers
    const int a = tj[seg.run_start[q]];
    const double ia = inv_r[a], xa = x[a], ya = y[a], za = z[a];
    double sx = 0.0, sy = 0.0, sz = 0.0;
    for (int p = seg.run_start[q]; p < seg.run_start[q + 1]; ++p) {    // scatter: scalar
      const int b = tk[p];
      const double ib = inv_r[b];
      const double cjk = rjk[p] > 0.0 ? d_jk[p] / rjk[p] : 0.0;
      const double dc = d_cos[p], cs = cos[p];
      // dE/dr_ij = A r_ij + B r_ik and dE/dr_ik = B r_ij + D r_ik
      const double ca = (d_ij[p] - dc * cs * ia) * ia + cjk;
      const double cb = dc * ia * ib - cjk;
      const double cd = (d_ik[p] - dc * cs * ib) * ib + cjk;
      sx += ca * xa + cb * x[b];
      sy += ca * ya + cb * y[b];
      sz += ca * za + cb * z[b];
      gx[b] += cb * xa + cd * x[b];
      gy[b] += cb * ya + cd * y[b];
      gz[b] += cb * za + cd * z[b];
    }
    gx[a] += sx;
    gy[a] += sy;
    gz[a] += sz;
  }
}

}    // namespace mlpot
