"""The fast design rows against a straightforward reference evaluation, written from the maths alone.

The reference uses only the function labels and coupling tensors of the basis (``basis.functions``
and ``basis.couplings``), never its evaluation tables: for every function b and atom i,

    B_b(i) = sum_pi mu(pi) sum_m C_b[m] prod_{blocks S of pi} T_S(m_S),
    T_S(m_S) = sum_j prod_{t in S} phi_{n_t l_t m_t}(r_ij)

(only the partition into singletons, with mu = 1, for the standard basis), contracted with
``np.einsum``; its derivative with respect to each pair vector r_ij follows from the product rule
on the factors of T_S at that pair. Energies, forces and stress must agree to 1e-12 (relative).
"""

import numpy as np
import pytest
from ase.neighborlist import neighbor_list

from linace.basis import ACEBasis, set_partitions
from linace.harmonics import lm_index, real_sph_harm

from conftest import random_carbon

TOLERANCE = 1e-12


def pair_factors(basis, vectors):
    """phi[(n, l)] (P, 2l+1) and dphi[(n, l)] (P, 3, 2l+1) of every (n, l) the basis uses."""
    r = np.linalg.norm(vectors, axis=1)
    R, dR = basis.radial(r)
    Y, dY = real_sph_harm(vectors, basis.l_max, gradient=True)
    unit = vectors / r[:, None]
    phi, dphi = {}, {}
    for nl in {nl for f in basis.functions for nl in f.nl}:
        n, l = nl
        lm = [lm_index(l, m) for m in range(-l, l + 1)]
        phi[nl] = R[:, n - 1, None] * Y[:, lm]
        dphi[nl] = (
            R[:, n - 1, None, None] * dY[:, lm].transpose(0, 2, 1)
            + (dR[:, n - 1, None] * Y[:, lm])[:, None, :] * unit[:, :, None]
        )
    return phi, dphi


def block_tensors(nl, block, phi, dphi):
    """T_S (sum over pairs, m-axes of the block) and its per-pair gradient (P, 3, m-axes)."""
    letters = "abcd"
    values = np.einsum(
        ",".join(f"p{letters[k]}" for k in range(len(block))) + "->p" + letters[: len(block)],
        *[phi[nl[t]] for t in block],
    )
    gradient = 0.0
    for _k, t in enumerate(block):
        factors = [dphi[nl[s]] if s == t else phi[nl[s]][:, None, :] for s in block]
        gradient = gradient + np.einsum(
            ",".join(f"px{letters[q]}" for q in range(len(block))) + "->px" + letters[: len(block)], *factors
        )
    return values.sum(axis=0), gradient


def reference_site(basis, vectors):
    """B (n_basis,) of one atom with neighbour vectors (P, 3), and dB/dr_p (n_basis, P, 3)."""
    phi, dphi = pair_factors(basis, vectors)
    n_pairs = len(vectors)
    B = np.zeros(len(basis))
    dB = np.zeros((len(basis), n_pairs, 3))
    cache = {}  # T_S depends only on the (n, l) of the block's factors
    for b, (function, coupling) in enumerate(zip(basis.functions, basis.couplings)):
        nu = function.correlation_order
        partitions = set_partitions(nu) if basis.pure else [(tuple((t,) for t in range(nu)), 1)]
        for blocks, mu in partitions:
            tensors = []
            for block in blocks:
                key = tuple(function.nl[t] for t in block)
                if key not in cache:
                    cache[key] = block_tensors(function.nl, block, phi, dphi)
                tensors.append(cache[key])
            operands = [coupling, list(range(nu))]
            for (T, _), block in zip(tensors, blocks):
                operands += [T, list(block)]
            B[b] += mu * np.einsum(*operands, [])
            for k, _block in enumerate(blocks):
                operands = [coupling, list(range(nu))]
                for q, ((T, G), other) in enumerate(zip(tensors, blocks)):
                    operands += [G, [nu, nu + 1, *other]] if q == k else [T, list(other)]
                dB[b] += mu * np.einsum(*operands, [nu, nu + 1])
    return B, dB


def reference_rows(basis, atoms):
    """Energy (n_basis,), forces (n_atoms, 3, n_basis) and stress (6, n_basis) or None."""
    i, j, vectors = neighbor_list("ijD", atoms, basis.rcut)
    n_atoms = len(atoms)
    energy = np.zeros(len(basis))
    forces = np.zeros((n_atoms, 3, len(basis)))
    virial = np.zeros((3, 3, len(basis)))
    for centre in range(n_atoms):
        mine = np.flatnonzero(i == centre)
        if not mine.size:
            continue
        B, dB = reference_site(basis, vectors[mine])
        energy += B
        for q, p in enumerate(mine):
            forces[j[p]] -= dB[:, q].T
            forces[centre] += dB[:, q].T
            virial += np.einsum("bx,y->xyb", dB[:, q], vectors[p])
    stress = None
    if atoms.pbc.all():
        virial = 0.5 * (virial + virial.transpose(1, 0, 2)) / atoms.get_volume()
        stress = virial[[0, 1, 2, 1, 0, 0], [0, 1, 2, 2, 2, 1]]
    return energy, forces, stress


def assert_close(got, expected, name):
    scale = np.abs(expected).max()
    assert np.abs(got - expected).max() <= TOLERANCE * scale, f"{name}: {np.abs(got - expected).max() / scale:.1e}"


@pytest.mark.parametrize("pure", [False, True])
@pytest.mark.parametrize("K", [2, 3, 4, 5])
def test_design_rows_equal_the_reference(K, pure):
    basis = ACEBasis(K, pure=pure)
    structures = [random_carbon(4, False, 30 + K), random_carbon(2, True, 40 + K)]
    if K <= 4:
        structures.append(random_carbon(5, True, 50 + K))
    for atoms in structures:
        energy, forces, stress = reference_rows(basis, atoms)
        rows = basis.design(atoms)
        assert_close(rows.energy, energy, "energy")
        assert_close(rows.forces, forces, "forces")
        assert_close(basis.descriptors(atoms).sum(axis=0), energy, "descriptors")
        if atoms.pbc.all():
            assert_close(rows.stress, stress, "stress")
        # the contracted path (calculator) with random coefficients
        c = np.random.default_rng(K).normal(size=len(basis))
        _, model_forces, model_stress = basis.energy_forces_stress(atoms, c)
        assert_close(model_forces, forces @ c, "model forces")
        if atoms.pbc.all():
            assert_close(model_stress, stress @ c, "model stress")
