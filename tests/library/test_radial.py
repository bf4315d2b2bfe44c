import numpy as np
import pytest

from linace.radial import RadialBasis

from conftest import fd_errors


@pytest.fixture
def radial():
    return RadialBasis(n_max=12, rcut=5.0)


def test_shape_and_bounds(radial):
    r = np.linspace(1e-6, 5.0, 500)
    R, dR = radial(r)
    assert R.shape == dR.shape == (500, 12)
    assert np.all(np.isfinite(R)) and np.all(np.isfinite(dR))
    assert np.abs(R).max() <= 1.0 + 1e-12  # |T_k(x)| <= 1 and 0 <= envelope <= 1


def test_finite_for_tiny_and_large_distances(radial):
    R, dR = radial(np.array([0.0, 1e-12, 1e-3, 5.0, 7.5, 1e6]))
    assert np.all(np.isfinite(R)) and np.all(np.isfinite(dR))
    assert np.all(R[-3:] == 0.0) and np.all(dR[-3:] == 0.0)


def test_value_and_slope_vanish_at_cutoff(radial):
    R, dR = radial(np.array([5.0 - 1e-7]))
    assert np.abs(R).max() < 1e-13
    assert np.abs(dR).max() < 1e-6


def test_transform_maps_onto_chebyshev_interval(radial):
    x, dx = radial.transform(np.array([0.0, 1.5, 5.0]))
    assert x[0] == pytest.approx(-1.0) and x[2] == pytest.approx(1.0)
    assert -1 < x[1] < 1
    assert np.all(dx[1:] > 0)  # monotonic


@pytest.mark.parametrize("r0", [0.9, 1.4, 2.5, 4.9])
def test_derivative_against_finite_differences(radial, r0):
    for n in range(12):
        errors = fd_errors(
            lambda r: radial(np.array([r[0]]))[0][0, n],  # noqa: B023
            lambda r: radial(np.array([r[0]]))[1][0, n : n + 1],  # noqa: B023
            np.array([r0]),
            np.array([1.0]),
            steps=10.0 ** -np.arange(2, 10),
        )
        assert errors.min() < 1e-7, f"n={n + 1}, r={r0}: {errors}"
        assert errors[2] < 0.05 * errors[0] or errors[0] < 1e-9


def test_functions_are_linearly_independent(radial):
    R, _ = radial(np.linspace(0.8, 4.9, 400))
    s = np.linalg.svd(R / np.linalg.norm(R, axis=0), compute_uv=False)
    assert s.min() / s.max() > 1e-8


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_max": 0}, "n_max"),
        ({"n_max": 3, "rcut": -1.0}, "rcut"),
        ({"n_max": 3, "rcut": 5.0, "r0": 6.0}, "r0"),
        ({"n_max": 3, "p": 4.0, "q": 2.0}, "q > p"),
    ],
)
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RadialBasis(**kwargs)


def test_bad_distances(radial):
    with pytest.raises(ValueError, match="finite"):
        radial(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="non-negative"):
        radial(np.array([-1.0]))


def test_values_are_the_documented_formula():
    """R_n(r) = T_{n-1}(x(r)) (1 - r/r_cut)^2 with the Agnesi transform of the module docstring,
    written out here independently (numpy's Chebyshev series, the transform by hand)."""
    from numpy.polynomial import chebyshev

    basis = RadialBasis(n_max=6, rcut=5.0, r0=1.5, p=2.0, q=4.0, a=1.0)
    r = np.array([0.3, 1.0, 1.5, 2.2, 3.7, 4.9])

    def y(distance):
        s = distance / 1.5
        return 1.0 / (1.0 + s**4 / (1.0 + s**2))

    x = -1.0 + 2.0 * (1.0 - y(r)) / (1.0 - y(5.0))
    expected = np.stack([chebyshev.chebval(x, np.eye(6)[n]) for n in range(6)], axis=1) * (1 - r / 5.0)[:, None] ** 2
    R, _ = basis(r)
    np.testing.assert_allclose(R, expected, rtol=1e-12, atol=1e-14)
    # by hand at r = r0 = 1.5: s = 1, y = 1/1.5, y(5) = 1/(1 + s^4/(1 + s^2)) at s = 10/3
    s_cut = 5.0 / 1.5
    x_r0 = -1.0 + 2.0 * (1 - 1 / 1.5) / (1 - 1 / (1 + s_cut**4 / (1 + s_cut**2)))
    assert R[2, 1] == pytest.approx(x_r0 * (1 - 1.5 / 5.0) ** 2, rel=1e-12)
