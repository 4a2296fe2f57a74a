"""Flat lookup tables that drive the symmetry-function kernels.

The kernels never branch on element names or function types: a symmetry-function set becomes
integer ranges keyed by (central element, neighbour element) for radial functions and by
(central element, unordered neighbour-element pair) for angular ones. Angular functions are
grouped by their radial factor R(r) = exp(-eta (r - r_s)^2) f_c(r) ("combo") so that R is
evaluated once per pair and shared (a function on two shells has two combos), and by their
angular term 2^(1-zeta) (1 + lambda cos)^zeta ("term") so that powers are evaluated once per
triplet.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mlpot.descriptors.symmetry_functions import (
    AngularG5,
    AngularG5Mixed,
    RadialG2,
    SymmetryFunctionSet,
)


class KernelTables(NamedTuple):
    n_elements: int
    cutoff_code: int
    cutoff_alpha: float
    cut_rc: np.ndarray  # (n_cut,) distinct cutoff radii, Å
    max_angular_cutoff: float
    # radial functions sorted by (centre c, neighbour e): range rad_ptr[c * E + e] : ...[+ 1]
    rad_ptr: np.ndarray
    rad_col: np.ndarray
    rad_eta: np.ndarray
    rad_rs: np.ndarray
    rad_cut: np.ndarray  # index into cut_rc
    rad_width: int  # longest radial range (workspace width)
    # radial factors of angular functions
    combo_eta: np.ndarray
    combo_rs: np.ndarray
    combo_cut: np.ndarray
    # angular terms
    term_lambda: np.ndarray
    term_zeta: np.ndarray
    term_izeta: np.ndarray  # integer zeta, or -1 when zeta is not an integer
    term_pref: np.ndarray  # 2^(1 - zeta)
    # angular groups per (centre, neighbour pair): range agrp_ptr[c * NP + p] : ...[+1]
    pair_index: np.ndarray  # (E, E) unordered element pair -> p
    agrp_ptr: np.ndarray
    grp_combo: np.ndarray
    grp_combo2: np.ndarray  # the second leg's combo (= grp_combo but for two-shell functions)
    grp_narrow: np.ndarray  # 1 for G4 (with the r_jk factor), 0 for G5
    key_all_narrow: np.ndarray  # 1 where every group of an angular key has the r_jk factor
    grp_sf_ptr: np.ndarray  # functions of group g are grp_sf_ptr[g] : grp_sf_ptr[g + 1]
    max_groups: int  # most groups of one angular key (scratch width per triplet)
    sf_col: np.ndarray
    sf_term: np.ndarray


def build_tables(sfset: SymmetryFunctionSet) -> KernelTables:
    elements = list(sfset.elements)
    index = {e: n for n, e in enumerate(elements)}
    n_el = len(elements)
    pair_index = np.zeros((n_el, n_el), dtype=np.int64)
    n_pairs = 0
    for a in range(n_el):
        for b in range(a, n_el):
            pair_index[a, b] = pair_index[b, a] = n_pairs
            n_pairs += 1
    cutoffs = sorted({sf.cutoff for sfs in sfset.functions.values() for sf in sfs})
    cut_of = {rc: n for n, rc in enumerate(cutoffs)}

    radial, angular = [], []
    for element in elements:
        for col, sf in enumerate(sfset.functions[element]):
            c = index[element]
            if isinstance(sf, RadialG2):
                radial.append((c * n_el + index[sf.neighbor], col, sf))
            else:
                p = pair_index[index[sf.neighbors[0]], index[sf.neighbors[1]]]
                angular.append((c * n_pairs + p, col, sf))
    radial.sort(key=lambda t: (t[0], t[1]))
    rad_keys = np.array([t[0] for t in radial], dtype=np.int64)
    rad_ptr = np.searchsorted(rad_keys, np.arange(n_el * n_el + 1)).astype(np.int64)

    combos: dict[tuple, int] = {}
    terms: dict[tuple, int] = {}
    entries = []
    for key, col, sf in angular:
        combo = combos.setdefault((sf.eta, sf.rs, cut_of[sf.cutoff]), len(combos))
        rs2 = sf.rs2 if isinstance(sf, AngularG5Mixed) else sf.rs
        combo2 = combos.setdefault((sf.eta, rs2, cut_of[sf.cutoff]), len(combos))
        term = terms.setdefault((sf.lambda_, sf.zeta), len(terms))
        narrow = 0 if isinstance(sf, AngularG5) else 1
        entries.append((key, combo, combo2, narrow, col, term))
    entries.sort()
    groups: list[tuple] = []
    for key, combo, combo2, narrow, _, _ in entries:
        if not groups or groups[-1][:4] != (key, combo, combo2, narrow):
            groups.append((key, combo, combo2, narrow, 0))
        groups[-1] = (*groups[-1][:4], groups[-1][4] + 1)
    grp_keys = np.array([g[0] for g in groups], dtype=np.int64)
    agrp_ptr = np.searchsorted(grp_keys, np.arange(n_el * n_pairs + 1)).astype(np.int64)
    grp_sf_ptr = np.concatenate([[0], np.cumsum([g[4] for g in groups])]).astype(np.int64)

    combo_list = sorted(combos, key=combos.get)
    term_list = sorted(terms, key=terms.get)
    zetas = np.array([z for _, z in term_list], dtype=np.float64)
    izeta = np.where(zetas == np.round(zetas), np.round(zetas), -1).astype(np.int64)
    widths = np.diff(rad_ptr)
    ang_cut = [sf.cutoff for _, _, sf in angular]
    return KernelTables(
        n_elements=n_el,
        cutoff_code=sfset.cutoff_function.code,
        cutoff_alpha=float(sfset.cutoff_function.alpha),
        cut_rc=np.array(cutoffs, dtype=np.float64),
        max_angular_cutoff=float(max(ang_cut, default=0.0)),
        rad_ptr=rad_ptr,
        rad_col=np.array([t[1] for t in radial], dtype=np.int64),
        rad_eta=np.array([t[2].eta for t in radial], dtype=np.float64),
        rad_rs=np.array([t[2].rs for t in radial], dtype=np.float64),
        rad_cut=np.array([cut_of[t[2].cutoff] for t in radial], dtype=np.int64),
        rad_width=int(widths.max(initial=0)),
        combo_eta=np.array([c[0] for c in combo_list], dtype=np.float64),
        combo_rs=np.array([c[1] for c in combo_list], dtype=np.float64),
        combo_cut=np.array([c[2] for c in combo_list], dtype=np.int64),
        term_lambda=np.array([t[0] for t in term_list], dtype=np.float64),
        term_zeta=zetas,
        term_izeta=izeta,
        term_pref=2.0 ** (1.0 - zetas),
        pair_index=pair_index,
        agrp_ptr=agrp_ptr,
        grp_combo=np.array([g[1] for g in groups], dtype=np.int64),
        grp_combo2=np.array([g[2] for g in groups], dtype=np.int64),
        grp_narrow=np.array([g[3] for g in groups], dtype=np.int64),
        grp_sf_ptr=grp_sf_ptr,
        max_groups=int(np.diff(agrp_ptr).max(initial=0)),
        key_all_narrow=_all_narrow(agrp_ptr, [g[3] for g in groups]),
        sf_col=np.array([e[4] for e in entries], dtype=np.int64),
        sf_term=np.array([e[5] for e in entries], dtype=np.int64),
    )


def _all_narrow(agrp_ptr: np.ndarray, narrow: list[int]) -> np.ndarray:
    flags = [all(narrow[agrp_ptr[k] : agrp_ptr[k + 1]]) for k in range(len(agrp_ptr) - 1)]
    return np.array(flags, dtype=np.int64)
