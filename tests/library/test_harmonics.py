import numpy as np
import pytest
from scipy import special

from linace.harmonics import lm_index, n_harmonics, real_sph_harm

from conftest import assert_fd_converges, fd_errors, random_orthogonal

L_MAX = 8


def scipy_real_harmonics(vectors, l_max):
    """Independent reference: real harmonics built from scipy's complex ones (with the phase)."""
    r = np.linalg.norm(vectors, axis=1)
    theta = np.arccos(np.clip(vectors[:, 2] / r, -1, 1))
    phi = np.arctan2(vectors[:, 1], vectors[:, 0])
    out = np.empty((len(vectors), n_harmonics(l_max)))
    for l in range(l_max + 1):
        for m in range(l + 1):
            if hasattr(special, "sph_harm_y"):
                y = special.sph_harm_y(l, m, theta, phi)
            else:  # scipy < 1.15: sph_harm(m, n, azimuth, polar)
                y = special.sph_harm(m, l, phi, theta)
            if m == 0:
                out[:, lm_index(l, 0)] = y.real
            else:
                out[:, lm_index(l, m)] = np.sqrt(2) * (-1) ** m * y.real
                out[:, lm_index(l, -m)] = np.sqrt(2) * (-1) ** m * y.imag
    return out


def test_ordering():
    assert [lm_index(l, m) for l in range(3) for m in range(-l, l + 1)] == list(range(9))
    with pytest.raises(ValueError, match="outside"):
        lm_index(1, 2)


def test_against_scipy():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(200, 3)) * rng.uniform(0.1, 10, size=(200, 1))
    vectors[:2] = [[0, 0, 1], [0, 0, -2]]  # the poles
    np.testing.assert_allclose(real_sph_harm(vectors, L_MAX), scipy_real_harmonics(vectors, L_MAX), atol=1e-12)


def test_orthonormal_on_quadrature():
    # Gauss-Legendre in cos(theta) x uniform in phi integrates polynomials of degree < 2 l_max + 2 exactly
    z, wz = np.polynomial.legendre.leggauss(L_MAX + 2)
    phi = np.linspace(0, 2 * np.pi, 2 * L_MAX + 3, endpoint=False)
    Z, PHI = np.meshgrid(z, phi, indexing="ij")
    s = np.sqrt(1 - Z**2)
    points = np.stack([s * np.cos(PHI), s * np.sin(PHI), Z], axis=-1).reshape(-1, 3)
    weights = (wz[:, None] * np.full(len(phi), 2 * np.pi / len(phi))).ravel()
    Y = real_sph_harm(points, L_MAX)
    gram = Y.T @ (weights[:, None] * Y)
    np.testing.assert_allclose(gram, np.eye(n_harmonics(L_MAX)), atol=1e-12)


def test_gradient_against_finite_differences():
    rng = np.random.default_rng(1)
    for point in rng.normal(size=(5, 3)):
        _, dY = real_sph_harm(point[None], L_MAX, gradient=True)
        direction = rng.normal(size=3)
        for lm in range(n_harmonics(L_MAX)):
            errors = fd_errors(lambda v: real_sph_harm(v[None], L_MAX)[0, lm], lambda v: dY[0, lm], point, direction)  # noqa: B023
            assert_fd_converges(errors, np.abs(dY[0, lm]).max(), f"dY[{lm}]")


def test_gradient_is_tangential_and_scales_with_length():
    rng = np.random.default_rng(2)
    v = rng.normal(size=(10, 3))
    Y1, dY1 = real_sph_harm(v, 4, gradient=True)
    Y2, dY2 = real_sph_harm(3.0 * v, 4, gradient=True)
    np.testing.assert_allclose(Y1, Y2, atol=1e-14)
    np.testing.assert_allclose(dY1, 3.0 * dY2, atol=1e-12)
    np.testing.assert_allclose(np.einsum("plx,px->pl", dY1, v), 0.0, atol=1e-12)


def test_rotation_mixes_only_within_each_l():
    """Y_l(Q r) = D^l(Q) Y_l(r) with D^l orthogonal: the sum over m of Y_lm^2 is invariant (also for reflections)."""
    rng = np.random.default_rng(3)
    v = rng.normal(size=(20, 3))
    for reflect in (False, True):
        Q = random_orthogonal(4, reflect)
        Y, YQ = real_sph_harm(v, L_MAX), real_sph_harm(v @ Q.T, L_MAX)
        for l in range(L_MAX + 1):
            block = slice(l * l, (l + 1) ** 2)
            np.testing.assert_allclose((Y[:, block] ** 2).sum(1), (2 * l + 1) / (4 * np.pi), atol=1e-12)
            D, *_ = np.linalg.lstsq(Y[:, block], YQ[:, block], rcond=None)
            np.testing.assert_allclose(D.T @ D, np.eye(2 * l + 1), atol=1e-10)
            np.testing.assert_allclose(Y[:, block] @ D, YQ[:, block], atol=1e-10)


def test_bad_input():
    with pytest.raises(ValueError, match="non-zero"):
        real_sph_harm(np.zeros((1, 3)), 2)
    with pytest.raises(ValueError, match="shape"):
        real_sph_harm(np.ones(3), 2)
    with pytest.raises(ValueError, match="l_max"):
        real_sph_harm(np.ones((1, 3)), -1)
