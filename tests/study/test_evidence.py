"""The claims graded on the one fit and over draws, and the learning curves' exponents
(linace.study.evidence), on synthetic records."""

import numpy as np
import pytest

from linace.study import evidence
from linace.study.claims import DrawVerdict, assess_claims, assess_v2_claims, claim_id, grade_over_draws
from linace.study.records import RunRecord

from test_claims import DFT, record


def _resampled(size, draw, K, training_set, offset, test_rmse=0.2):
    rec = record(K, training_set, test_rmse, 0.3 / K, offset)
    rec["parameters"].update(train_size=size, draw=draw)
    return rec


def _draws():
    """Runs on 'diverse' and 'narrow' at N = 40 (3 draws) and 80 (2 draws), and two runs on the whole set."""
    records = [
        _resampled(size, draw, K, s, offset * (1 + draw), rmse)
        for size, draws in ((80, 2), (40, 3))
        for draw in range(draws)
        for K, offset in ((2, 2.0), (3, -1.5), (4, 0.9))
        for s, rmse in (("diverse", 0.2), ("narrow", 0.5))
    ]
    return records + [record(2, "diverse", 0.2, 0.1, 1.0), record(3, "diverse", 0.2, 0.1, 0.5)]


def test_sizes_and_grades_by_size_read_the_resampled_runs_only():
    records = _draws()
    assert evidence.train_sizes(records) == [40, 80]
    assert evidence.train_sizes(records[-2:]) == []
    graded = evidence.grade_by_size(records, DFT)
    assert list(graded) == [40, 80]
    for size in (40, 80):
        assert graded[size] == grade_over_draws(records, DFT, size)
    assert {v.draws for v in graded[40] if v.draws} == {3} and {v.draws for v in graded[80] if v.draws} == {2}
    assert evidence.grade_by_size(records, DFT, regularisation="ridge") == {40: [], 80: []}
    assert evidence.grade_by_size([RunRecord(r) for r in records], DFT) == graded  # typed records alike


def test_one_fit_verdicts_grade_claims_1_to_3_on_the_standard_basis_only():
    records = [
        record(K, s, rmse, 0.3 / K, wobble)
        for K, wobble in ((2, 2.0), (3, -1.5), (4, 2.5))
        for s, rmse in (("narrow", 0.5), ("crystals", 0.4), ("diverse", 0.2))
    ]
    pure = [{**r, "parameters": {**r["parameters"], "variant": "pure"}} for r in records]
    for r in pure:  # a pure basis that validates worst on `diverse` must not change claim 1a
        if r["parameters"]["training_set"] == "diverse":
            r["errors"] = {**r["errors"], "test": {"all": {**r["errors"]["test"]["all"], "force_rmse_eV_per_A": 9.0}}}
    single = evidence.one_fit_verdicts(records + pure, DFT)
    expected = assess_claims(records, DFT) + assess_v2_claims(records + pure, DFT)
    assert single == {v.claim: v.verdict for v in expected}
    assert single[next(c for c in single if c.startswith("1a."))] == "reproduced"
    by_id = evidence.one_fit_verdicts(records + pure, DFT, by_id=True)
    assert list(by_id) == ["1a", "1b", "2", "3", "v2a", "v2b", "v2c"]
    assert by_id == {claim_id(c): v for c, v in single.items()}


def _verdict(claim, size, verdict, draws=10):
    return DrawVerdict(claim, "criterion", size, 5, 0, draws, verdict)


def test_verdicts_that_change_with_n_are_named_with_their_verdicts_in_order():
    graded = {
        40: [_verdict("1b. Far.", 40, "reproduced"), _verdict("2. Diverge.", 40, "reproduced")],
        80: [_verdict("1b. Far.", 80, "depends on the draw"), _verdict("2. Diverge.", 80, "reproduced")],
        320: [_verdict("1b. Far.", 320, "not reproduced", draws=1)],
    }  # one draw: not a verdict over draws
    assert evidence.verdicts_changing_with_size(graded, ["1b. Far.", "2. Diverge.", "3. Absent."]) == [
        "1b: reproduced at N = 40 → depends on the draw at N = 80"
    ]
    assert evidence.verdicts_changing_with_size(graded, ["2. Diverge."]) == []


def test_resampled_combinations_put_the_standard_basis_and_the_bulk_sets_first():
    records = [record(2, s, 0.2, 0.1, 0.0) for s in ("clusters+dimers", "zeta", "diverse", "narrow", "alpha")]
    pure = {**record(2, "clusters+dimers", 0.2, 0.1, 0.0)}
    pure["parameters"] = {**pure["parameters"], "variant": "pure"}
    order = ("narrow", "crystals", "diverse", "clusters", "clusters+dimers")
    assert evidence.resampled_combinations(records + [pure, records[2]], order) == [
        ("standard", "narrow"),
        ("standard", "diverse"),
        ("standard", "clusters+dimers"),
        ("standard", "alpha"),
        ("standard", "zeta"),
        ("pure", "clusters+dimers"),
    ]
    assert evidence.resampled_combinations(records[:2], order=("zeta",)) == [
        ("standard", "zeta"),
        ("standard", "clusters+dimers"),
    ]


def _curve_rows(sizes, alpha, scale=100.0, n=10, variant="standard", training_set="diverse", K=4):
    quantity = {"median": 0.0, "p10": 0.0, "p90": 0.0, "n": n}
    return [
        {
            "variant": variant,
            "training_set": training_set,
            "body_order": K,
            "train_size": N,
            "draws": n,
            "distance_to_dft_eV": {**quantity, "median": scale * N**-alpha},
            "test_energy_rmse_meV_per_atom": {**quantity, "median": 2 * scale * N ** -(2 * alpha)},
        }
        for N in sizes
    ]


def test_the_learning_exponent_is_the_power_of_a_power_law():
    curves = (
        _curve_rows((40, 80, 160, 320), 0.5)
        + _curve_rows((40, 80), 3.0, K=3)
        + _curve_rows((40, 80, 160), 1.0, training_set="narrow")
    )
    alpha, sizes = evidence.learning_exponent(curves, "distance_to_dft_eV", body_order=4)
    assert alpha == pytest.approx(0.5) and sizes == [40, 80, 160, 320]
    assert evidence.learning_exponent(curves, "test_energy_rmse_meV_per_atom")[0] == pytest.approx(1.0)
    assert evidence.learning_exponent(curves, "distance_to_dft_eV", body_order=3)[0] == pytest.approx(3.0)
    assert evidence.learning_exponent(curves, "distance_to_dft_eV", training_set="narrow")[0] == pytest.approx(1.0)
    assert evidence.learning_exponent(curves, "distance_to_dft_eV", body_order=5) is None  # no rows
    few = _curve_rows((40,), 0.5) + _curve_rows((80,), 0.5, n=0)  # one size with a median: no exponent
    assert evidence.learning_exponent(few, "distance_to_dft_eV") is None
    assert [row["train_size"] for row in evidence.learning_rows(curves, "standard", "diverse", 3)] == [40, 80]
    assert np.all([row["training_set"] == "narrow" for row in evidence.learning_rows(curves, "standard", "narrow", 4)])
