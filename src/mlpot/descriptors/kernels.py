"""Compiled symmetry-function kernels (numba), parallel over central atoms.

Three entry points share the same per-pair and per-triplet arithmetic:

- `values`: descriptors G (N, F) and a workspace of per-pair radial factors;
- `pair_gradients`: given dE/dG (N, F), the vectors dE/dr_ij (P, 3) for every pair, reusing
  the workspace; forces and the virial follow from these in `mlpot.models.forces`;
- `values_and_derivatives`: G and dG_i/dr_ij (P, F, 3) for every pair (training data).

r_ij = R_j - R_i + shift is the vector from the centre to a neighbour image; each pair of the
full list belongs to its centre, so every write is race-free. The formulas are documented in
`mlpot.descriptors.symmetry_functions` and `mlpot.descriptors.cutoffs`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

_OPTS = {"cache": True, "fastmath": True, "nogil": True}
_TANH1_CUBED = math.tanh(1.0) ** 3


@njit(inline="always", **_OPTS)
def _cutoff(r, rc, code, alpha):
    """(f_c(r), df_c/dr) for n2p2 cutoff type `code`."""
    if r >= rc:
        return 0.0, 0.0
    if code == 0:
        return 1.0, 0.0
    if code == 2 or code == 3:
        t = math.tanh(1.0 - r / rc)
        norm = 1.0 if code == 2 else 1.0 / _TANH1_CUBED
        return norm * t * t * t, -norm * 3.0 * t * t * (1.0 - t * t) / rc
    rci = alpha * rc
    if r <= rci:
        return 1.0, 0.0
    w = rc - rci
    x = (r - rci) / w
    if code == 1:
        return 0.5 * (math.cos(math.pi * x) + 1.0), -0.5 * math.pi * math.sin(math.pi * x) / w
    if code == 4:
        y = 1.0 - x * x
        f = math.exp(1.0 - 1.0 / y)
        return f, -2.0 * x / (y * y) * f / w
    xm = x - 1.0
    if code == 5:
        return (2.0 * x - 3.0) * x * x + 1.0, 6.0 * x * xm / w
    if code == 6:
        return ((15.0 - 6.0 * x) * x - 10.0) * x**3 + 1.0, -30.0 * (x * xm) ** 2 / w
    if code == 7:
        f = (x * (x * (20.0 * x - 70.0) + 84.0) - 35.0) * x**4 + 1.0
        return f, 140.0 * (x * xm) ** 3 / w
    f = (x * (x * (x * (315.0 - 70.0 * x) - 540.0) + 420.0) - 126.0) * x**5 + 1.0
    return f, -630.0 * (x * xm) ** 4 / w


@njit(inline="always", **_OPTS)
def _angular_terms(t, cos, a_val, a_der):
    """a_val[k] = 2^(1-zeta) (1 + lambda cos)^zeta and a_der[k] its derivative in cos."""
    for k in range(a_val.shape[0]):
        lam = t.term_lambda[k]
        base = 1.0 + lam * cos
        iz = t.term_izeta[k]
        if base <= 0.0:
            a_val[k] = 0.0
            a_der[k] = t.term_pref[k] * lam if iz == 1 else 0.0
            continue
        if iz > 0:
            p = 1.0
            b = base
            e = iz - 1
            while e > 0:
                if e & 1:
                    p *= b
                b *= b
                e >>= 1
        else:
            p = base ** (t.term_zeta[k] - 1.0)
        a_val[k] = t.term_pref[k] * p * base
        a_der[k] = t.term_pref[k] * t.term_zeta[k] * lam * p


@njit(inline="always", **_OPTS)
def _pair_workspace(t, a, r, fc, dfc, ws_r, ws_dr):
    """Radial factors of every angular combo for pair a; fc, dfc from `_jk_cutoffs` at r."""
    for u in range(t.combo_eta.shape[0]):
        ws_r[a, u], ws_dr[a, u] = _combo_factor(t, u, r, fc, dfc)


@njit(inline="always", **_OPTS)
def _radial(t, s, r, fc, dfc):
    """(G2 term, its r-derivative) of radial function s at r, cutoffs from `_jk_cutoffs`."""
    f, df = fc[t.rad_cut[s]], dfc[t.rad_cut[s]]
    if f == 0.0:
        return 0.0, 0.0
    d = r - t.rad_rs[s]
    g = math.exp(-t.rad_eta[s] * d * d)
    return g * f, g * (df - 2.0 * t.rad_eta[s] * d * f)


@njit(parallel=True, **_OPTS)
def values(t, species, offsets, second, vectors, distances, out, ws_r, ws_dr, ws_rad):
    """Descriptors of all atoms into out (N, F); fills the workspace for `pair_gradients`.

    ws_r, ws_dr: (P, n_combo); ws_rad: (P, rad_width) radial dG/dr of each pair.
    """
    n_atoms = offsets.shape[0] - 1
    n_terms = t.term_lambda.shape[0]
    for i in prange(n_atoms):
        a_val = np.empty(n_terms)
        a_der = np.empty(n_terms)
        fc_jk = np.empty(t.cut_rc.shape[0])
        dfc_jk = np.empty(t.cut_rc.shape[0])
        c = species[i]
        lo, hi = offsets[i], offsets[i + 1]
        for a in range(lo, hi):
            r = distances[a]
            _jk_cutoffs(t, r, fc_jk, dfc_jk)
            _pair_workspace(t, a, r, fc_jk, dfc_jk, ws_r, ws_dr)
            key = c * t.n_elements + species[second[a]]
            for s in range(t.rad_ptr[key], t.rad_ptr[key + 1]):
                v, dv = _radial(t, s, r, fc_jk, dfc_jk)
                out[i, t.rad_col[s]] += v
                ws_rad[a, s - t.rad_ptr[key]] = dv
        for a in range(lo, hi):
            if distances[a] >= t.max_angular_cutoff:
                continue
            for b in range(a + 1, hi):
                if distances[b] >= t.max_angular_cutoff:
                    continue
                key = _angular_key(t, c, species[second[a]], species[second[b]])
                g0, g1 = t.agrp_ptr[key], t.agrp_ptr[key + 1]
                if g0 == g1:
                    continue
                rjk, cos = _triangle(vectors, distances, a, b)
                if not _jk_cutoffs(t, rjk, fc_jk, dfc_jk) and t.key_all_narrow[key]:
                    continue
                _angular_terms(t, cos, a_val, a_der)
                for g in range(g0, g1):
                    u = t.grp_combo[g]
                    base = ws_r[a, u] * ws_r[b, u]
                    if base == 0.0:
                        continue
                    if t.grp_narrow[g]:
                        rjk_f, _ = _combo_factor(t, u, rjk, fc_jk, dfc_jk)
                        base *= rjk_f
                    for s in range(t.grp_sf_ptr[g], t.grp_sf_ptr[g + 1]):
                        out[i, t.sf_col[s]] += a_val[t.sf_term[s]] * base


@njit(inline="always", **_OPTS)
def _angular_key(t, c, ej, ek):
    n_pairs = t.n_elements * (t.n_elements + 1) // 2
    return c * n_pairs + t.pair_index[ej, ek]


@njit(inline="always", **_OPTS)
def _jk_cutoffs(t, rjk, fc, dfc):
    """fc[u], dfc[u]: every distinct cutoff function at r_jk; False when all are zero."""
    nonzero = False
    for u in range(t.cut_rc.shape[0]):
        fc[u], dfc[u] = _cutoff(rjk, t.cut_rc[u], t.cutoff_code, t.cutoff_alpha)
        nonzero = nonzero or fc[u] != 0.0
    return nonzero


@njit(inline="always", **_OPTS)
def _combo_factor(t, u, r, fc, dfc):
    """(R, dR/dr) of combo u at r_jk, with the cutoff values from `_jk_cutoffs`."""
    f, df = fc[t.combo_cut[u]], dfc[t.combo_cut[u]]
    if f == 0.0:
        return 0.0, 0.0
    d = r - t.combo_rs[u]
    eta = t.combo_eta[u]
    g = math.exp(-eta * d * d)
    return g * f, g * (df - 2.0 * eta * d * f)


@njit(inline="always", **_OPTS)
def _triangle(vectors, distances, a, b):
    """(|r_jk|, cos theta_ijk) for pairs a = (i, j) and b = (i, k)."""
    dx = vectors[b, 0] - vectors[a, 0]
    dy = vectors[b, 1] - vectors[a, 1]
    dz = vectors[b, 2] - vectors[a, 2]
    dot = vectors[a, 0] * vectors[b, 0] + vectors[a, 1] * vectors[b, 1] + vectors[a, 2] * vectors[b, 2]
    return math.sqrt(dx * dx + dy * dy + dz * dz), dot / (distances[a] * distances[b])


@njit(inline="always", **_OPTS)
def _add_triplet_gradient(vectors, distances, a, b, rjk, cos, d_cos, d_rij, d_rik, d_rjk, out):
    """out[a] += dE/dr_ij and out[b] += dE/dr_ik from the scalar derivatives in cos, r_ij, r_ik, r_jk."""
    rij, rik = distances[a], distances[b]
    inv_rjk = 1.0 / rjk if rjk > 0.0 else 0.0
    for x in range(3):
        vij, vik = vectors[a, x], vectors[b, x]
        ujk = (vik - vij) * inv_rjk
        dcos_ij = vik / (rij * rik) - cos * vij / (rij * rij)
        dcos_ik = vij / (rij * rik) - cos * vik / (rik * rik)
        out[a, x] += d_cos * dcos_ij + d_rij * vij / rij - d_rjk * ujk
        out[b, x] += d_cos * dcos_ik + d_rik * vik / rik + d_rjk * ujk


@njit(parallel=True, **_OPTS)
def pair_gradients(t, species, offsets, second, vectors, distances, dedg, ws_r, ws_dr, ws_rad, out):
    """dE/dr_ij (P, 3) into out, from dE/dG (N, F) and the workspace written by `values`."""
    n_atoms = offsets.shape[0] - 1
    n_terms = t.term_lambda.shape[0]
    for i in prange(n_atoms):
        a_val = np.empty(n_terms)
        a_der = np.empty(n_terms)
        fc_jk = np.empty(t.cut_rc.shape[0])
        dfc_jk = np.empty(t.cut_rc.shape[0])
        c = species[i]
        lo, hi = offsets[i], offsets[i + 1]
        for a in range(lo, hi):
            key = c * t.n_elements + species[second[a]]
            s0 = t.rad_ptr[key]
            d_r = 0.0
            for s in range(s0, t.rad_ptr[key + 1]):
                d_r += dedg[i, t.rad_col[s]] * ws_rad[a, s - s0]
            for x in range(3):
                out[a, x] += d_r * vectors[a, x] / distances[a]
        for a in range(lo, hi):
            if distances[a] >= t.max_angular_cutoff:
                continue
            for b in range(a + 1, hi):
                if distances[b] >= t.max_angular_cutoff:
                    continue
                key = _angular_key(t, c, species[second[a]], species[second[b]])
                g0, g1 = t.agrp_ptr[key], t.agrp_ptr[key + 1]
                if g0 == g1:
                    continue
                rjk, cos = _triangle(vectors, distances, a, b)
                if not _jk_cutoffs(t, rjk, fc_jk, dfc_jk) and t.key_all_narrow[key]:
                    continue
                _angular_terms(t, cos, a_val, a_der)
                d_cos = d_rij = d_rik = d_rjk = 0.0
                for g in range(g0, g1):
                    u = t.grp_combo[g]
                    rij_f, rik_f = ws_r[a, u], ws_r[b, u]
                    if rij_f * rik_f == 0.0:
                        continue
                    rjk_f, rjk_d = 1.0, 0.0
                    if t.grp_narrow[g]:
                        rjk_f, rjk_d = _combo_factor(t, u, rjk, fc_jk, dfc_jk)
                        if rjk_f == 0.0:
                            continue
                    sum_a = 0.0
                    sum_c = 0.0
                    for s in range(t.grp_sf_ptr[g], t.grp_sf_ptr[g + 1]):
                        w = dedg[i, t.sf_col[s]]
                        sum_a += w * a_val[t.sf_term[s]]
                        sum_c += w * a_der[t.sf_term[s]]
                    d_cos += sum_c * rij_f * rik_f * rjk_f
                    d_rij += sum_a * ws_dr[a, u] * rik_f * rjk_f
                    d_rik += sum_a * rij_f * ws_dr[b, u] * rjk_f
                    d_rjk += sum_a * rij_f * rik_f * rjk_d
                _add_triplet_gradient(
                    vectors, distances, a, b, rjk, cos, d_cos, d_rij, d_rik, d_rjk, out
                )


@njit(parallel=True, **_OPTS)
def values_and_derivatives(t, species, offsets, second, vectors, distances, out, deriv, ws_r, ws_dr):
    """Descriptors (N, F) into out and dG_i/dr_ij (P, F, 3) into deriv."""
    n_atoms = offsets.shape[0] - 1
    n_terms = t.term_lambda.shape[0]
    for i in prange(n_atoms):
        a_val = np.empty(n_terms)
        a_der = np.empty(n_terms)
        fc_jk = np.empty(t.cut_rc.shape[0])
        dfc_jk = np.empty(t.cut_rc.shape[0])
        c = species[i]
        lo, hi = offsets[i], offsets[i + 1]
        for a in range(lo, hi):
            r = distances[a]
            _jk_cutoffs(t, r, fc_jk, dfc_jk)
            _pair_workspace(t, a, r, fc_jk, dfc_jk, ws_r, ws_dr)
            key = c * t.n_elements + species[second[a]]
            for s in range(t.rad_ptr[key], t.rad_ptr[key + 1]):
                v, dv = _radial(t, s, r, fc_jk, dfc_jk)
                col = t.rad_col[s]
                out[i, col] += v
                for x in range(3):
                    deriv[a, col, x] += dv * vectors[a, x] / r
        for a in range(lo, hi):
            if distances[a] >= t.max_angular_cutoff:
                continue
            for b in range(a + 1, hi):
                if distances[b] >= t.max_angular_cutoff:
                    continue
                key = _angular_key(t, c, species[second[a]], species[second[b]])
                g0, g1 = t.agrp_ptr[key], t.agrp_ptr[key + 1]
                if g0 == g1:
                    continue
                rjk, cos = _triangle(vectors, distances, a, b)
                if not _jk_cutoffs(t, rjk, fc_jk, dfc_jk) and t.key_all_narrow[key]:
                    continue
                _angular_terms(t, cos, a_val, a_der)
                for g in range(g0, g1):
                    u = t.grp_combo[g]
                    rij_f, rik_f = ws_r[a, u], ws_r[b, u]
                    if rij_f * rik_f == 0.0:
                        continue
                    rjk_f, rjk_d = 1.0, 0.0
                    if t.grp_narrow[g]:
                        rjk_f, rjk_d = _combo_factor(t, u, rjk, fc_jk, dfc_jk)
                        if rjk_f == 0.0:
                            continue
                    base = rij_f * rik_f * rjk_f
                    for s in range(t.grp_sf_ptr[g], t.grp_sf_ptr[g + 1]):
                        col = t.sf_col[s]
                        av = a_val[t.sf_term[s]]
                        out[i, col] += av * base
                        _add_triplet_gradient(
                            vectors, distances, a, b, rjk, cos,
                            a_der[t.sf_term[s]] * base,
                            av * ws_dr[a, u] * rik_f * rjk_f,
                            av * rij_f * ws_dr[b, u] * rjk_f,
                            av * rij_f * rik_f * rjk_d,
                            deriv[:, col, :],
                        )
