"""Compiled symmetry-function kernels (numba), parallel over chunks of central atoms.

Entry points (all share the per-atom phases below):

- `values`: descriptors G (N, F);
- `pair_gradients`: given dE/dG (N, F), the vectors dE/dr_ij (P, 3) for every pair; forces and
  the virial follow from these in `mlpot.models.forces`;
- `energies_and_pair_gradients`: atomic energies and dE/dr_ij in one pass, the networks
  (`mlpot.descriptors.network_tables`) evaluated per atom between descriptors and gradients;
- `values_and_derivatives`: G and dG_i/dr_ij (P, F, 3) for every pair (training data).

Per central atom i of element c, on scratch arrays allocated once per chunk of atoms:

1. `neighbours`: i's pairs inside the cutoff copied to local arrays, by element and within an
   element the angular ones first; 1/r_ij, cutoff functions, the radial G2 terms (their
   r-derivatives kept) and the radial factor R_u(r) = exp(-eta_u (r - r_s,u)^2) f_c(r) of every
   angular combo u.
2. `triplets`: for each unordered neighbour-element pair with angular functions, |r_jk|^2 and
   cos theta_ijk of every candidate pair j < k, and the triplets inside the cutoff kept; then,
   as loops over triplets: r_jk, the r_jk factor of each angular group, the angular terms
   2^(1-zeta) (1 + lambda cos)^zeta, and G. Everything the gradient needs is kept, so no
   transcendental function is evaluated twice.
3. `pair_gradients_of_atom`: dE/dr_ij of each neighbour from dE/dG_i (the chain rule through 1
   and 2): dE/d(cos theta, r_ij, r_ik, r_jk) per triplet in passes over the triplets, then one
   pass that turns them into vectors and adds them to both neighbours; `add_derivatives`
   applies the chain rule to every column separately.

r_ij = R_j - R_i + shift is the vector from the centre to a neighbour image; each pair of the
full list belongs to its centre, so every write is race-free. Pairs at or beyond the cutoff
(lists built with a skin) are skipped and get zero rows. Formulas: `symmetry_functions`,
`cutoffs`; the slow reference the tests compare with: tests/descriptors/reference.py.

Performance notes (numba 0.68, AMD EPYC with AVX-512; measured with `perf` sampling of the
compiled code and A/B timings of the benchmark model of benchmarks/speed.py: 39 functions,
about 33 neighbours and 215 triplets per atom):
- All compiled code lives in this one module: numba's on-disk cache is invalidated only when
  the file that defines a cached function changes, not when a function it calls does.
- The scratch arrays and the tables travel as structs (`as_struct`), one pointer per call. numba
  passes a tuple member by member (several hundred words for the scratch and tables) and
  counts references to every member on entry and exit: that was a fifth of the run time, with
  five calls per atom. Phase functions take their arrays out once, at the top, and own every
  loop; per-pair and per-triplet helpers take scalars only (or are inlined into one caller).
- Loops over triplets are passes over contiguous rows, so that LLVM vectorises them: exp, tanh
  and the cos cutoff are polynomials here (a few ulp from libm), indices are unsigned or count
  from 0 (numba wraps negative indices, which turns loads into gathers), polynomial
  coefficients are tuples (compile-time constants), and triplets are kept without a branch (a
  mispredicted branch per candidate pair cost more than the copy).
- A loop that stores and also loads through an index (neighbour j or k of a triplet) stays
  scalar: LLVM cannot rule out that the gathered array aliases the stored one. Hence cos
  theta_ijk is computed per candidate (contiguous in k) and copied with the triplet, and
  1/r_ij is kept per neighbour so that no pass over triplets divides by a gathered radius.
  The remaining scalar passes are the products R(r_ij) R(r_ik) of each group and the final
  pass that adds dE/dr to both neighbours.
- Splitting the triplet passes into L1-sized blocks made them slower (each of the ~70 loops
  per segment pays its set-up and alias checks once per block), as did inlining the phases
  into the parallel drivers (3x the compile time for 5 % in run time).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.experimental import structref
from numba.extending import intrinsic, overload

OPTIONS = {"cache": True, "fastmath": True, "nogil": True, "error_model": "numpy"}
CHUNK = 16  # atoms per parallel work item
_TANH1_CUBED = math.tanh(1.0) ** 3
_LOG2E = 1.0 / math.log(2.0)
_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10  # fdlibm's split
_SHIFT = 1.5 * 2.0**52
# Taylor coefficients: e^r for |r| <= ln(2) / 2, and sin(y) / y, cos(y) in y^2 for |y| <= pi / 2;
# the first omitted terms are below 1e-17 (tuples: constants to the compiler, unlike arrays)
_EXP_TAYLOR = tuple(1.0 / math.factorial(k) for k in range(14))
_SIN_TAYLOR = tuple((-1) ** k / math.factorial(2 * k + 1) for k in range(11))
_COS_TAYLOR = tuple((-1) ** k / math.factorial(2 * k) for k in range(12))
_SOFTPLUS_THRESHOLD = 20.0  # torch's default: softplus(x) = x above it
_LOG2 = math.log(2.0)


# --- scalar helpers: arithmetic only where possible, so that loops over them vectorise ---


@intrinsic
def _float_from_bits(typingctx, bits):
    """The float64 whose IEEE-754 bit pattern is the int64 `bits`."""
    if bits is not types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@intrinsic
def _bits_from_float(typingctx, x):
    """The int64 with the IEEE-754 bit pattern of the float64 x."""
    if x is not types.float64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@njit(inline="always", **OPTIONS)
def _exp_reduced(x):
    """(k, r) with x = k ln(2) + r, |r| <= ln(2) / 2, k a whole float, x clamped to
    [-708, 709]."""
    x = min(max(x, -708.0), 709.0)
    k = np.floor(x * _LOG2E + 0.5)  # a float: math.floor would convert to int and back
    return k, (x - k * _LN2_HI) - k * _LN2_LO


@njit(inline="always", **OPTIONS)
def _pow2(k):
    """2^k for a whole float k in [-1022, 1023]: the integer k sits in the low mantissa bits of
    k + 1.5 * 2^52 (no float-int conversion)."""
    return _float_from_bits((_bits_from_float(k + _SHIFT) << 52) + (1023 << 52))


@njit(inline="always", **OPTIONS)
def _exp(x):
    """e^x to a few ulp for -50 < x <= 709; e^-708 (not 0) below -708."""
    k, r = _exp_reduced(x)
    p = _EXP_TAYLOR[13]
    for j in range(12, -1, -1):
        p = p * r + _EXP_TAYLOR[j]
    return p * _pow2(k)


@njit(inline="always", **OPTIONS)
def _tanh(x):
    """tanh(x) to a few ulp, as e^2x - 1 over e^2x + 1 with e^2x - 1 = 2^k (e^r - 1) + 2^k - 1
    free of cancellation (for |x| < ln(2) / 4, k = 0)."""
    k, r = _exp_reduced(2.0 * x)
    p = _EXP_TAYLOR[13]
    for j in range(12, 0, -1):
        p = p * r + _EXP_TAYLOR[j]
    scale = _pow2(k)
    expm1 = scale * (p * r) + (scale - 1.0)
    return expm1 / (expm1 + 2.0)


@njit(inline="always", **OPTIONS)
def _cos_pi(x):
    """(cos(pi x), sin(pi x)) for 0 <= x <= 1, by Taylor series around x = 1/2."""
    y = math.pi * (x - 0.5)
    y2 = y * y
    sin_y = _SIN_TAYLOR[10]
    for k in range(9, -1, -1):
        sin_y = sin_y * y2 + _SIN_TAYLOR[k]
    cos_y = _COS_TAYLOR[11]
    for k in range(10, -1, -1):
        cos_y = cos_y * y2 + _COS_TAYLOR[k]
    return -sin_y * y, cos_y


@njit(inline="always", **OPTIONS)
def _cutoff_cos(r, rc, alpha):
    """(f_c(r), df_c/dr) of the cos cutoff (n2p2 type 1) for r < rc, the common case,
    without branches."""
    rci = alpha * rc
    w = rc - rci
    x = min(max((r - rci) / w, 0.0), 1.0)
    cos, sin = _cos_pi(x)
    return 0.5 * (cos + 1.0), -0.5 * math.pi * sin / w


@njit(inline="always", **OPTIONS)
def _cutoff(r, rc, code, alpha):
    """(f_c(r), df_c/dr) for n2p2 cutoff type `code`."""
    if r >= rc:
        return 0.0, 0.0
    if code == 1:
        return _cutoff_cos(r, rc, alpha)
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
    if code == 4:
        y = 1.0 - x * x
        f = _exp(1.0 - 1.0 / y)
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


@njit(inline="always", **OPTIONS)
def _gaussian(eta, rs, r, f, df):
    """(exp(-eta (r - rs)^2) f, its r-derivative) for a cutoff value f with derivative df."""
    d = r - rs
    g = _exp(-eta * d * d)
    if f == 0.0:
        g = 0.0
    return g * f, g * (df - 2.0 * eta * d * f)


@njit(inline="always", **OPTIONS)
def _triplet_coefficients(rij, rik, rjk, cos, d_cos, d_rij, d_rik, d_rjk):
    """(A, B, D) with d/dr_ij = A r_ij + B r_ik and d/dr_ik = B r_ij + D r_ik, from the
    derivatives of a triplet function in cos theta, r_ij, r_ik and r_jk."""
    c_jk = d_rjk / rjk if rjk > 0.0 else 0.0
    c_ij = d_cos / (rij * rik)
    return (
        (d_rij - d_cos * cos / rij) / rij + c_jk,
        c_ij - c_jk,
        (d_rik - d_cos * cos / rik) / rik + c_jk,
    )


@njit(inline="always", **OPTIONS)
def _cutoffs(code, alpha, rc, r, f, df):
    """f[n], df[n] = f_c(r[n]) and its derivative for every n of the 1-d array r."""
    if code == 1:
        for n in range(r.shape[0]):
            f[n], df[n] = _cutoff_cos(r[n], rc, alpha)
            if r[n] >= rc:
                f[n] = df[n] = 0.0
    else:
        for n in range(r.shape[0]):
            f[n], df[n] = _cutoff(r[n], rc, code, alpha)


# --- structs: arguments passed by one pointer ---


@structref.register
class _Struct(types.StructRef):
    """A struct of arrays and scalars, passed to a function as one pointer (a tuple of them is
    passed member by member: for the scratch and tables, hundreds of words per call)."""


def as_struct(named_tuple):
    """The fields of a named tuple as a struct (compiled code only)."""
    raise NotImplementedError("as_struct is only for compiled code")


@overload(as_struct, jit_options={"nogil": True})  # not cached itself: its callers are
def _as_struct(named_tuple):
    # one attribute assignment per field of this tuple type, so the copy is written out here
    struct_type = _Struct(list(zip(named_tuple.fields, named_tuple.types, strict=True)))
    lines = [f"    s.{name} = named_tuple.{name}" for name in named_tuple.fields]
    source = (
        "def copy(named_tuple):\n    s = new(struct_type)\n" + "\n".join(lines) + "\n    return s\n"
    )
    namespace = {"new": structref.new, "struct_type": struct_type}
    exec(source, namespace)
    return namespace["copy"]


# --- per-thread scratch ---


class Scratch(NamedTuple):
    """Working arrays for one central atom at a time: n neighbours, and per angular key
    (segment) up to m triplets. Hot loops index the last axis from 0 (see phase 1)."""

    pair: np.ndarray  # (n,) row of the local neighbour in the pair list
    elem: np.ndarray  # (n,) its element
    vec: np.ndarray  # (3, n) r_ij, Å
    r: np.ndarray  # (n,) |r_ij|, Å
    inv_r: np.ndarray  # (n,) 1 / |r_ij|, 1/Å
    start: np.ndarray  # (E + 1,) neighbours of element e: start[e] : start[e + 1] ...
    ang_end: np.ndarray  # (E,) ... of which the angular ones are start[e] : ang_end[e]
    fc: np.ndarray  # (n_cut, max(n, m)) every distinct cutoff at r_ij, then at r_jk
    dfc: np.ndarray  # (n_cut, max(n, m)) their derivatives, 1/Å
    combo: np.ndarray  # (n_combo, n) R_u(r_ij)
    combo_d: np.ndarray  # (n_combo, n) dR_u/dr at r_ij, 1/Å
    radial_d: np.ndarray  # (rad_width, n) dG2/dr at r_ij of the pair's radial functions
    grad: np.ndarray  # (n, 3) dE/dr_ij, eV/Å
    rjk2: np.ndarray  # (n,) |r_jk|^2 of the candidates k of one neighbour j
    cos_jk: np.ndarray  # (n,) cos theta_ijk of the same candidates
    seg_key: np.ndarray  # (n_seg,) angular key of each segment
    seg_size: np.ndarray  # (n_seg,) its number of triplets
    trip: np.ndarray  # (n_seg, 2, m) local neighbours j, k (unsigned: see phase 1)
    rjk: np.ndarray  # (n_seg, m) r_jk, Å
    cos: np.ndarray  # (n_seg, m) cos theta_ijk
    # per angular group j of the segment's key, with its radial factors R(r_ij) R(r_ik) R(r_jk)
    # (R(r_jk) = 1 for wide functions): the product and its derivatives in r_ij, r_ik, r_jk
    base: np.ndarray  # (n_seg, max_groups, m)
    base_ij: np.ndarray  # (n_seg, max_groups, m), 1/Å
    base_ik: np.ndarray  # (n_seg, max_groups, m), 1/Å
    base_jk: np.ndarray  # (n_seg, max_groups, m), 1/Å
    a_val: np.ndarray  # (n_seg, n_terms, m) angular terms
    a_der: np.ndarray  # (n_seg, n_terms, m) their derivatives in cos theta
    # per triplet of one segment: dE/d(cos theta, r_ij, r_ik, r_jk), and sums over a group's
    # functions of dE/dG a_val and dE/dG a_der; d_cos also serves per neighbour in phase 3
    d_cos: np.ndarray  # (max(n, m),)
    d_ij: np.ndarray  # (m,)
    d_ik: np.ndarray  # (m,)
    d_jk: np.ndarray  # (m,)
    sum_val: np.ndarray  # (m,)
    sum_der: np.ndarray  # (m,)
    g: np.ndarray  # (F,) descriptors of the atom
    dedg: np.ndarray  # (F,) dE/dG of the atom
    layers: np.ndarray  # (rows, width) network activations (fused kernel only)


@njit(**OPTIONS)
def scratch(t, n_features, n_max, net_rows, net_width):
    m = n_max * (n_max - 1) // 2
    n_el = t.n_elements
    n_seg = n_el * (n_el + 1) // 2
    n_cut, n_combo = t.cut_rc.shape[0], t.combo_eta.shape[0]
    groups, terms = t.max_groups, t.term_lambda.shape[0]
    return as_struct(
        Scratch(
            np.empty(n_max, dtype=np.int64),
            np.empty(n_max, dtype=np.int64),
            np.empty((3, n_max)),
            np.empty(n_max),
            np.empty(n_max),
            np.empty(n_el + 1, dtype=np.int64),
            np.empty(n_el, dtype=np.int64),
            np.empty((n_cut, max(n_max, m))),
            np.empty((n_cut, max(n_max, m))),
            np.empty((n_combo, n_max)),
            np.empty((n_combo, n_max)),
            np.empty((t.rad_width, n_max)),
            np.empty((n_max, 3)),
            np.empty(n_max),
            np.empty(n_max),
            np.empty(n_seg, dtype=np.int64),
            np.empty(n_seg, dtype=np.int64),
            np.empty((n_seg, 2, m), dtype=np.uint64),
            np.empty((n_seg, m)),
            np.empty((n_seg, m)),
            np.empty((n_seg, groups, m)),
            np.empty((n_seg, groups, m)),
            np.empty((n_seg, groups, m)),
            np.empty((n_seg, groups, m)),
            np.empty((n_seg, terms, m)),
            np.empty((n_seg, terms, m)),
            np.empty(max(n_max, m)),
            np.empty(m),
            np.empty(m),
            np.empty(m),
            np.empty(m),
            np.empty(m),
            np.empty(n_features),
            np.empty(n_features),
            np.empty((net_rows, net_width)),
        )
    )


# --- phase 1: neighbours and radial terms ---
#
# Loops meant to vectorise index the last axis of their arrays with a counter that is either a
# range from 0 or unsigned, and neighbour indices stored in arrays are unsigned: numba wraps
# negative indices, and for an index of unknown sign LLVM emits gathers and scatters or does
# not vectorise at all.


@njit(**OPTIONS)
def neighbours(t, c, species, offsets, second, vectors, distances, i, s):
    """Phase 1 for atom i: local neighbours, radial terms into s.g; returns their number."""
    pair, elem, vec, r, start, ang_end = s.pair, s.elem, s.vec, s.r, s.start, s.ang_end
    inv_r = s.inv_r
    fc, dfc, combo, combo_d, radial_d = s.fc, s.dfc, s.combo, s.combo_d, s.radial_d
    g = s.g
    cut_rc, combo_eta, combo_rs, combo_cut = t.cut_rc, t.combo_eta, t.combo_rs, t.combo_cut
    rad_ptr, rad_col, rad_eta, rad_rs = t.rad_ptr, t.rad_col, t.rad_eta, t.rad_rs
    rad_cut, n_el = t.rad_cut, t.n_elements
    rc, rc_ang = cut_rc[-1], t.max_angular_cutoff
    n = 0
    for e in range(n_el):  # by element; within one element, the angular neighbours first
        start[e] = n
        for angular in (True, False):
            for p in range(offsets[i], offsets[i + 1]):
                d = distances[p]
                if species[second[p]] == e and ((d < rc_ang) if angular else (rc_ang <= d < rc)):
                    pair[n], elem[n], r[n] = p, e, d
                    for x in range(3):
                        vec[x, n] = vectors[p, x]
                    n += 1
            if angular:
                ang_end[e] = n
    start[n_el] = n
    for a in range(n):
        inv_r[a] = 1.0 / r[a]
    for k in range(cut_rc.shape[0]):
        _cutoffs(t.cutoff_code, t.cutoff_alpha, cut_rc[k], r[:n], fc[k, :n], dfc[k, :n])
    for u in range(combo_eta.shape[0]):
        eta, rs, k = combo_eta[u], combo_rs[u], combo_cut[u]
        for a in range(n):
            combo[u, a], combo_d[u, a] = _gaussian(eta, rs, r[a], fc[k, a], dfc[k, a])
    for col in range(g.shape[0]):
        g[col] = 0.0
    for e in range(n_el):
        a0, a1 = np.uint64(start[e]), np.uint64(start[e + 1])
        q0 = rad_ptr[c * n_el + e]
        for q in range(q0, rad_ptr[c * n_el + e + 1]):
            eta, rs, k, row = rad_eta[q], rad_rs[q], rad_cut[q], q - q0
            acc = 0.0
            for a in range(a0, a1):
                v, radial_d[row, a] = _gaussian(eta, rs, r[a], fc[k, a], dfc[k, a])
                acc += v
            g[rad_col[q]] += acc
    return n


# --- phase 2: triplets and angular terms ---


@njit(**OPTIONS)
def triplets(t, c, s):
    """Phase 2: angular terms into s.g; returns the number of segments (keys with triplets)."""
    vec, inv_r, start, ang_end, rjk2, cos_jk = s.vec, s.inv_r, s.start, s.ang_end, s.rjk2, s.cos_jk
    trip, rjk, cos, seg_key, seg_size = s.trip, s.rjk, s.cos, s.seg_key, s.seg_size
    n_el = t.n_elements
    agrp_ptr, key_all_narrow, pair_index = t.agrp_ptr, t.key_all_narrow, t.pair_index
    rc2 = t.cut_rc[-1] ** 2
    key0 = c * (n_el * (n_el + 1) // 2)
    n_seg = 0
    for e1 in range(n_el):
        for e2 in range(e1, n_el):
            key = key0 + pair_index[e1, e2]
            if agrp_ptr[key] == agrp_ptr[key + 1]:
                continue
            m = 0
            cut2 = rc2 if key_all_narrow[key] else np.inf
            for a in range(np.uint64(start[e1]), np.uint64(ang_end[e1])):
                b0 = a + np.uint64(1) if e1 == e2 else np.uint64(start[e2])
                b1 = np.uint64(ang_end[e2])
                xa, ya, za, ia = vec[0, a], vec[1, a], vec[2, a], inv_r[a]
                for b in range(b0, b1):  # |r_jk|^2 and cos of the candidates, vectorised
                    xb, yb, zb = vec[0, b], vec[1, b], vec[2, b]
                    rjk2[b] = (xb - xa) ** 2 + (yb - ya) ** 2 + (zb - za) ** 2
                    cos_jk[b] = (xa * xb + ya * yb + za * zb) * ia * inv_r[b]
                for b in range(b0, b1):  # kept where inside: no branch to mispredict
                    trip[n_seg, 0, m], trip[n_seg, 1, m] = a, b
                    rjk[n_seg, m], cos[n_seg, m] = rjk2[b], cos_jk[b]
                    m += rjk2[b] < cut2
            if m > 0:
                seg_key[n_seg], seg_size[n_seg] = key, m
                _triplet_terms(t, n_seg, s)
                n_seg += 1
    return n_seg


@njit(**OPTIONS)
def _triplet_terms(t, seg, s):
    """Geometry, r_jk factors, angular terms and G for the triplets of segment seg."""
    combo, combo_d, fc, dfc, g = s.combo, s.combo_d, s.fc, s.dfc, s.g
    key, n_trip = s.seg_key[seg], s.seg_size[seg]
    trip, rjk, cos, a_val, a_der = s.trip[seg], s.rjk[seg], s.cos[seg], s.a_val[seg], s.a_der[seg]
    base, base_ij, base_ik, base_jk = s.base[seg], s.base_ij[seg], s.base_ik[seg], s.base_jk[seg]
    combo_eta, combo_rs, combo_cut = t.combo_eta, t.combo_rs, t.combo_cut
    grp_combo, grp_combo2, grp_narrow = t.grp_combo, t.grp_combo2, t.grp_narrow
    grp_sf_ptr, sf_col, sf_term = t.grp_sf_ptr, t.sf_col, t.sf_term
    lam, zeta = t.term_lambda, t.term_zeta
    for m in range(n_trip):
        rjk[m] = math.sqrt(rjk[m])
    for k in range(t.cut_rc.shape[0]):
        _cutoffs(t.cutoff_code, t.cutoff_alpha, t.cut_rc[k], rjk[:n_trip], fc[k], dfc[k])
    for k in range(lam.shape[0]):
        _angular_terms(
            lam[k], t.term_izeta[k], zeta[k], t.term_pref[k], cos[:n_trip], a_val[k], a_der[k]
        )
    g0 = t.agrp_ptr[key]
    for j in range(t.agrp_ptr[key + 1] - g0):
        grp = g0 + j
        u, v = grp_combo[grp], grp_combo2[grp]
        eta, rs, k = combo_eta[u], combo_rs[u], combo_cut[u]
        if u != v:  # two shells (wide): (R_u(r_ij) R_v(r_ik) + R_v(r_ij) R_u(r_ik)) / 2
            for m in range(n_trip):
                a, b = trip[0, m], trip[1, m]
                ua, ub, va, vb = combo[u, a], combo[u, b], combo[v, a], combo[v, b]
                base[j, m] = 0.5 * (ua * vb + va * ub)
                base_ij[j, m] = 0.5 * (combo_d[u, a] * vb + combo_d[v, a] * ub)
                base_ik[j, m] = 0.5 * (ua * combo_d[v, b] + va * combo_d[u, b])
                base_jk[j, m] = 0.0
        else:
            if grp_narrow[grp]:  # R(r_jk) and its derivative, kept in rows base and base_jk
                for m in range(n_trip):
                    base[j, m], base_jk[j, m] = _gaussian(eta, rs, rjk[m], fc[k, m], dfc[k, m])
            else:
                for m in range(n_trip):
                    base[j, m], base_jk[j, m] = 1.0, 0.0
            for m in range(n_trip):
                a, b = trip[0, m], trip[1, m]
                fa, fb, f = combo[u, a], combo[u, b], base[j, m]
                base[j, m] = fa * fb * f
                base_ij[j, m] = combo_d[u, a] * fb * f
                base_ik[j, m] = fa * combo_d[u, b] * f
                base_jk[j, m] *= fa * fb
        q, q1 = grp_sf_ptr[grp], grp_sf_ptr[grp + 1]
        while q < q1:  # four functions per pass over the triplets where there are four
            t0, t1 = sf_term[q], sf_term[min(q + 1, q1 - 1)]
            t2, t3 = sf_term[min(q + 2, q1 - 1)], sf_term[min(q + 3, q1 - 1)]
            acc0 = acc1 = acc2 = acc3 = 0.0
            for m in range(n_trip):
                acc0 += base[j, m] * a_val[t0, m]
                acc1 += base[j, m] * a_val[t1, m]
                acc2 += base[j, m] * a_val[t2, m]
                acc3 += base[j, m] * a_val[t3, m]
            for k, acc in enumerate((acc0, acc1, acc2, acc3)):
                if q + k < q1:
                    g[sf_col[q + k]] += acc
            q += 4


@njit(inline="always", **OPTIONS)
def _angular_terms(lam, izeta, zeta, pref, cos, val, der):
    """val[m] = 2^(1-zeta) (1 + lambda cos[m])^zeta and der[m] its derivative in cos, for
    every m of the 1-d array cos; izeta is zeta when it is an integer, else -1.
    1 + lambda cos is clamped at 0, where zeta = 1 keeps the derivative of the line."""
    n = cos.shape[0]
    e = izeta - 1  # der = base^e by squaring (val holds the squares meanwhile)
    for m in range(n):
        b = max(1.0 + lam * cos[m], 0.0)
        val[m] = b
        der[m] = b if e > 0 and e & 1 else 1.0
    if izeta > 0:
        e >>= 1
        while e > 0:
            if e & 1:
                for m in range(n):
                    val[m] *= val[m]
                    der[m] *= val[m]
            else:
                for m in range(n):
                    val[m] *= val[m]
            e >>= 1
    else:
        for m in range(n):
            der[m] = val[m] ** (zeta - 1.0)
    for m in range(n):
        val[m] = pref * der[m] * max(1.0 + lam * cos[m], 0.0)
        der[m] = pref * zeta * lam * der[m]


# --- phase 3: chain rule to the pairs ---


@njit(**OPTIONS)
def pair_gradients_of_atom(t, c, n, n_seg, s):
    """Phase 3: s.grad[a] = dE/dr_ij of local neighbour a, from s.dedg = dE/dG_i."""
    dedg, grad, vec, inv_r, start, radial_d = s.dedg, s.grad, s.vec, s.inv_r, s.start, s.radial_d
    d_r = s.d_cos
    rad_ptr, rad_col = t.rad_ptr, t.rad_col
    n_el = t.n_elements
    for a in range(n):
        d_r[a] = 0.0
    for e in range(n_el):  # dE/dr_ij through the radial functions
        a0, a1 = np.uint64(start[e]), np.uint64(start[e + 1])
        q0 = rad_ptr[c * n_el + e]
        for q in range(q0, rad_ptr[c * n_el + e + 1]):
            w, row = dedg[rad_col[q]], q - q0
            for a in range(a0, a1):
                d_r[a] += w * radial_d[row, a]
    for a in range(n):
        for x in range(3):
            grad[a, x] = d_r[a] * inv_r[a] * vec[x, a]
    for seg in range(n_seg):
        _triplet_derivatives(t, seg, s)
        _add_triplet_gradients(s, seg)


@njit(**OPTIONS)
def _add_triplet_gradients(s, seg):
    """dE/dr_ij of the triplets of segment seg added to s.grad."""
    grad, vec, inv_r, trip, cos = s.grad, s.vec, s.inv_r, s.trip[seg], s.cos[seg]
    d_cos, d_ij, d_ik, c_jk = s.d_cos, s.d_ij, s.d_ik, s.d_jk
    m, m1 = 0, s.seg_size[seg]
    while m < m1:  # triplets come in runs of one j: sum its gradient in registers
        a = trip[0, m]
        ia, xa, ya, za = inv_r[a], vec[0, a], vec[1, a], vec[2, a]
        gx = gy = gz = 0.0
        while m < m1 and trip[0, m] == a:
            # d/dr_ij = A r_ij + B r_ik and d/dr_ik = B r_ij + D r_ik
            b = trip[1, m]
            ib, dc, cjk = inv_r[b], d_cos[m], c_jk[m]
            dca = dc * ia
            coef_a = (d_ij[m] - dca * cos[m]) * ia + cjk
            coef_b = dca * ib - cjk
            coef_d = (d_ik[m] - dc * cos[m] * ib) * ib + cjk
            xb, yb, zb = vec[0, b], vec[1, b], vec[2, b]
            gx += coef_a * xa + coef_b * xb
            gy += coef_a * ya + coef_b * yb
            gz += coef_a * za + coef_b * zb
            grad[b, 0] += coef_b * xa + coef_d * xb
            grad[b, 1] += coef_b * ya + coef_d * yb
            grad[b, 2] += coef_b * za + coef_d * zb
            m += 1
        grad[a, 0] += gx
        grad[a, 1] += gy
        grad[a, 2] += gz


@njit(**OPTIONS)
def _triplet_derivatives(t, seg, s):
    """dE/d(cos theta, r_ij, r_ik) of the triplets of segment seg into s.d_cos, s.d_ij, s.d_ik,
    and dE/dr_jk / r_jk into s.d_jk."""
    dedg = s.dedg
    d_cos, d_ij, d_ik, d_jk = s.d_cos, s.d_ij, s.d_ik, s.d_jk
    sum_val, sum_der = s.sum_val, s.sum_der
    key, n_trip = s.seg_key[seg], s.seg_size[seg]
    rjk, a_val, a_der = s.rjk[seg], s.a_val[seg], s.a_der[seg]
    base, base_ij, base_ik, base_jk = s.base[seg], s.base_ij[seg], s.base_ik[seg], s.base_jk[seg]
    grp_sf_ptr, sf_col, sf_term = t.grp_sf_ptr, t.sf_col, t.sf_term
    for m in range(n_trip):
        d_cos[m] = d_ij[m] = d_ik[m] = d_jk[m] = 0.0
    g0 = t.agrp_ptr[key]
    for j in range(t.agrp_ptr[key + 1] - g0):
        for m in range(n_trip):
            sum_val[m] = sum_der[m] = 0.0
        q, q1 = grp_sf_ptr[g0 + j], grp_sf_ptr[g0 + j + 1]
        while q < q1:  # four functions per pass over the triplets (weight 0 past the group)
            t0, t1 = sf_term[q], sf_term[min(q + 1, q1 - 1)]
            t2, t3 = sf_term[min(q + 2, q1 - 1)], sf_term[min(q + 3, q1 - 1)]
            w0 = dedg[sf_col[q]]
            w1 = dedg[sf_col[q + 1]] if q + 1 < q1 else 0.0
            w2 = dedg[sf_col[q + 2]] if q + 2 < q1 else 0.0
            w3 = dedg[sf_col[q + 3]] if q + 3 < q1 else 0.0
            for m in range(n_trip):
                sum_val[m] += (w0 * a_val[t0, m] + w1 * a_val[t1, m]) + (
                    w2 * a_val[t2, m] + w3 * a_val[t3, m]
                )
                sum_der[m] += (w0 * a_der[t0, m] + w1 * a_der[t1, m]) + (
                    w2 * a_der[t2, m] + w3 * a_der[t3, m]
                )
            q += 4
        for m in range(n_trip):
            d_cos[m] += sum_der[m] * base[j, m]
            d_ij[m] += sum_val[m] * base_ij[j, m]
            d_ik[m] += sum_val[m] * base_ik[j, m]
            d_jk[m] += sum_val[m] * base_jk[j, m]
    for m in range(n_trip):  # r_jk = 0 (two neighbours at one place) has no direction
        d_jk[m] = d_jk[m] / rjk[m] if rjk[m] > 0.0 else 0.0


@njit(**OPTIONS)
def add_derivatives(t, c, n, n_seg, s, deriv):
    """dG_i/dr_ij of every column of atom i into deriv (P, F, 3) at the pairs' rows."""
    pair, elem, vec, r, radial_d = s.pair, s.elem, s.vec, s.r, s.radial_d
    rad_ptr, rad_col = t.rad_ptr, t.rad_col
    grp_sf_ptr, sf_col, sf_term = t.grp_sf_ptr, t.sf_col, t.sf_term
    for a in range(n):
        q0 = rad_ptr[c * t.n_elements + elem[a]]
        for k in range(rad_ptr[c * t.n_elements + elem[a] + 1] - q0):
            for x in range(3):
                deriv[pair[a], rad_col[q0 + k], x] += radial_d[k, a] * vec[x, a] / r[a]
    for seg in range(n_seg):
        key = s.seg_key[seg]
        trip, rjk, cos = s.trip[seg], s.rjk[seg], s.cos[seg]
        a_val, a_der, base = s.a_val[seg], s.a_der[seg], s.base[seg]
        base_ij, base_ik, base_jk = s.base_ij[seg], s.base_ik[seg], s.base_jk[seg]
        g0 = t.agrp_ptr[key]
        for j in range(t.agrp_ptr[key + 1] - g0):
            for q in range(grp_sf_ptr[g0 + j], grp_sf_ptr[g0 + j + 1]):
                col, tq = sf_col[q], sf_term[q]
                for m in range(s.seg_size[seg]):
                    a, b = trip[0, m], trip[1, m]
                    av = a_val[tq, m]
                    ca, cb, cd = _triplet_coefficients(
                        r[a],
                        r[b],
                        rjk[m],
                        cos[m],
                        a_der[tq, m] * base[j, m],
                        av * base_ij[j, m],
                        av * base_ik[j, m],
                        av * base_jk[j, m],
                    )
                    for x in range(3):
                        deriv[pair[a], col, x] += ca * vec[x, a] + cb * vec[x, b]
                        deriv[pair[b], col, x] += cb * vec[x, a] + cd * vec[x, b]


# --- the networks of the fused kernel (tables: mlpot.descriptors.network_tables) ---


@njit(inline="always", **OPTIONS)
def _activation(code, z):
    """(f(z), f'(z)) for the activation `code` of network_tables.ACTIVATION_CODES, as torch
    computes them."""
    if code == 0:
        v = _tanh(z)
        return v, 1.0 - v * v
    if code == 1 or code == 2:
        shift = 0.0 if code == 1 else _LOG2
        if z > _SOFTPLUS_THRESHOLD:
            return z - shift, 1.0
        e = math.exp(z)
        return math.log1p(e) - shift, e / (e + 1.0)
    if code == 3 or code == 4:
        sig = 1.0 / (1.0 + math.exp(-z))
        if code == 4:
            return sig, sig * (1.0 - sig)
        return z * sig, sig * (1.0 + z * (1.0 - sig))
    if code == 5:
        v = math.exp(-0.5 * z * z)
        return v, -z * v
    if code == 6:
        return (z, 1.0) if z > 0.0 else (0.0, 0.0)
    return z, 1.0


@njit(**OPTIONS)
def energy_and_gradient(net, e, g, dedg, buf):
    """Energy of an atom of element e with descriptors g (F,); dE/dG into dedg (F,).

    buf (net.rows, net.width): hidden layer j keeps f'(z) in row 2j and f(z) in row 2j + 1;
    the last two rows hold the output and the backward pass.
    """
    weights, biases, n_in, n_out = net.weights, net.biases, net.n_in, net.n_out
    l0 = net.layer_ptr[e]
    n_hidden = net.layer_ptr[e + 1] - l0 - 1
    code = net.activation[e]
    top = buf.shape[0] - 2
    for j in range(n_hidden + 1):
        w, b, no = weights[l0 + j], biases[l0 + j], n_out[l0 + j]
        z = buf[2 * j] if j < n_hidden else buf[top]
        for o in range(no):
            z[o] = b[o]
        for k in range(n_in[l0 + j]):
            xk = g[k] if j == 0 else buf[2 * j - 1, k]
            for o in range(no):
                z[o] += xk * w[k, o]
        if j < n_hidden and code == 0:  # tanh, the common case, in a loop that vectorises
            for o in range(no):
                v = _tanh(z[o])
                buf[2 * j + 1, o], buf[2 * j, o] = v, 1.0 - v * v
        elif j < n_hidden:
            for o in range(no):
                buf[2 * j + 1, o], buf[2 * j, o] = _activation(code, z[o])
    energy = buf[top, 0]
    for k in range(dedg.shape[0]):
        dedg[k] = 0.0
    d = buf[top]  # dE/d(output of layer j), starting from the energy itself
    d[0] = 1.0
    for j in range(n_hidden, -1, -1):
        w, no = weights[l0 + j], n_out[l0 + j]
        if j < n_hidden:
            for o in range(no):
                d[o] *= buf[2 * j, o]
        prev = dedg if j == 0 else buf[top + (n_hidden - j + 1) % 2]
        for k in range(n_in[l0 + j]):
            acc = 0.0
            for o in range(no):
                acc += w[k, o] * d[o]
            prev[k] = acc
        d = prev
    return energy


# --- parallel drivers ---


@njit(**OPTIONS)
def _max_neighbours(offsets):
    return np.max(offsets[1:] - offsets[:-1]) if offsets.shape[0] > 1 else 0


@njit(inline="always", **OPTIONS)
def _copy(source, target):
    # an explicit loop: in a prange body, numba 0.68 does not run slice assignments such as
    # out[i, :] = s.g once per iteration of the enclosing sequential loop (wrong results)
    for k in range(source.shape[0]):
        target[k] = source[k]


@njit(inline="always", **OPTIONS)
def _write_pair_gradients(s, n, lo, hi, out):
    grad, pair = s.grad, s.pair
    for p in range(lo, hi):  # pairs beyond the cutoff
        for x in range(3):
            out[p, x] = 0.0
    for a in range(n):
        for x in range(3):
            out[pair[a], x] = grad[a, x]


@njit(**OPTIONS)
def _values_chunk(t, species, offsets, second, vectors, distances, out, lo, hi, n_max):
    s = scratch(t, out.shape[1], n_max, 0, 0)
    for i in range(lo, hi):
        neighbours(t, species[i], species, offsets, second, vectors, distances, i, s)
        triplets(t, species[i], s)
        _copy(s.g, out[i])


@njit(parallel=True, **OPTIONS)
def values(t, species, offsets, second, vectors, distances, out):
    """Descriptors of all atoms into out (N, F)."""
    n_atoms = offsets.shape[0] - 1
    n_max = _max_neighbours(offsets)
    t = as_struct(t)
    for chunk in prange((n_atoms + CHUNK - 1) // CHUNK):
        lo, hi = chunk * CHUNK, min(n_atoms, (chunk + 1) * CHUNK)
        _values_chunk(t, species, offsets, second, vectors, distances, out, lo, hi, n_max)


@njit(**OPTIONS)
def _pair_gradients_chunk(
    t, species, offsets, second, vectors, distances, dedg, out, lo, hi, n_max
):
    s = scratch(t, dedg.shape[1], n_max, 0, 0)
    for i in range(lo, hi):
        c = species[i]
        n = neighbours(t, c, species, offsets, second, vectors, distances, i, s)
        n_seg = triplets(t, c, s)
        _copy(dedg[i], s.dedg)
        pair_gradients_of_atom(t, c, n, n_seg, s)
        _write_pair_gradients(s, n, offsets[i], offsets[i + 1], out)


@njit(parallel=True, **OPTIONS)
def pair_gradients(t, species, offsets, second, vectors, distances, dedg, out):
    """dE/dr_ij (P, 3) into out, from dE/dG (N, F)."""
    n_atoms = offsets.shape[0] - 1
    n_max = _max_neighbours(offsets)
    t = as_struct(t)
    for chunk in prange((n_atoms + CHUNK - 1) // CHUNK):
        lo, hi = chunk * CHUNK, min(n_atoms, (chunk + 1) * CHUNK)
        _pair_gradients_chunk(
            t, species, offsets, second, vectors, distances, dedg, out, lo, hi, n_max
        )


@njit(**OPTIONS)
def _energies_chunk(
    t, net, species, offsets, second, vectors, distances, energies, out, lo, hi, n_max
):
    s = scratch(t, net.n_features, n_max, net.rows, net.width)
    for i in range(lo, hi):
        c = species[i]
        n = neighbours(t, c, species, offsets, second, vectors, distances, i, s)
        n_seg = triplets(t, c, s)
        energies[i] = energy_and_gradient(net, c, s.g, s.dedg, s.layers)
        pair_gradients_of_atom(t, c, n, n_seg, s)
        _write_pair_gradients(s, n, offsets[i], offsets[i + 1], out)


@njit(parallel=True, **OPTIONS)
def energies_and_pair_gradients(
    t, net, species, offsets, second, vectors, distances, energies, out
):
    """Atomic energies (N,) and dE/dr_ij (P, 3) of the networks `net` in one pass."""
    n_atoms = offsets.shape[0] - 1
    n_max = _max_neighbours(offsets)
    t, net = as_struct(t), as_struct(net)
    for chunk in prange((n_atoms + CHUNK - 1) // CHUNK):
        lo, hi = chunk * CHUNK, min(n_atoms, (chunk + 1) * CHUNK)
        _energies_chunk(
            t, net, species, offsets, second, vectors, distances, energies, out, lo, hi, n_max
        )


@njit(**OPTIONS)
def _derivatives_chunk(t, species, offsets, second, vectors, distances, out, deriv, lo, hi, n_max):
    s = scratch(t, out.shape[1], n_max, 0, 0)
    for i in range(lo, hi):
        c = species[i]
        n = neighbours(t, c, species, offsets, second, vectors, distances, i, s)
        n_seg = triplets(t, c, s)
        _copy(s.g, out[i])
        add_derivatives(t, c, n, n_seg, s, deriv)


@njit(parallel=True, **OPTIONS)
def values_and_derivatives(t, species, offsets, second, vectors, distances, out, deriv):
    """Descriptors (N, F) into out and dG_i/dr_ij (P, F, 3) into deriv (zero on entry)."""
    n_atoms = offsets.shape[0] - 1
    n_max = _max_neighbours(offsets)
    t = as_struct(t)
    for chunk in prange((n_atoms + CHUNK - 1) // CHUNK):
        lo, hi = chunk * CHUNK, min(n_atoms, (chunk + 1) * CHUNK)
        _derivatives_chunk(
            t, species, offsets, second, vectors, distances, out, deriv, lo, hi, n_max
        )
