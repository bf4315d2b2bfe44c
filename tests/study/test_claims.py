import numpy as np
import pytest

from linace.analysis import DIMER_GRID
from linace.study.claims import assess_claims, assess_v2_claims, select

R = DIMER_GRID
DFT = (R, -7 * np.exp(-((R - 1.3) ** 2) / 0.3))


def record(
    K,
    training_set,
    test_rmse,
    train_rmse,
    offset,
    *,
    variant="standard",
    test_energy=None,
    test_extra=None,
    held_out=None,
    basis_size=None,
    provenance=None,
    **parameters,
):
    """A minimal run record (the JSON) whose dimer curve is the DFT curve shifted by ``offset`` (eV): test
    force RMSE ``test_rmse`` (eV/A), test energy RMSE 1000 times that or ``test_energy`` (meV/atom) and
    the further test errors ``test_extra``; the errors on further ``held_out`` sets, the ``basis_size``
    and the ``provenance`` where given; further run ``parameters`` (e.g. train_size, draw)."""
    curve = DFT[1] + offset
    energy = 1000 * test_rmse if test_energy is None else test_energy
    errors = {
        "all": {
            "n_structures": 10,
            "energy_rmse_meV_per_atom": energy,
            "force_rmse_eV_per_A": test_rmse,
            **(test_extra or {}),
        }
    }
    optional = {"basis": None if basis_size is None else {"size": basis_size}, "provenance": provenance}
    return {
        **{key: value for key, value in optional.items() if value is not None},
        "parameters": {
            "body_order": K,
            "training_set": training_set,
            "variant": variant,
            "regularisation": "blr",
            **parameters,
        },
        "errors": {
            "test": errors,
            "train": {
                "all": {
                    "n_structures": 10,
                    "energy_rmse_meV_per_atom": 1000 * test_rmse,
                    "force_rmse_eV_per_A": train_rmse,
                }
            },
            **({} if held_out is None else {"held_out": held_out}),
        },
        "dimer": {"r": R.tolist(), "energy": curve.tolist(), "contributions": {"2": curve.tolist()}},
        "dimer_summary": {
            "distance_to_dft_eV": abs(offset),
            "minimum_position_A": 1.3,
            "minimum_energy_eV": -7 + offset,
        },
    }


def verdicts(records):
    return {v.claim[:2]: v.verdict for v in assess_claims(records, DFT)}


def test_paper_like_records_reproduce_every_claim():
    records = []
    for K, wobble in zip((2, 3, 4, 5), (2.0, -1.5, 2.5, -2.0)):  # curves jump around DFT, far from it
        for training_set, rmse in (("narrow", 0.5), ("crystals", 0.4), ("diverse", 0.2)):
            records.append(record(K, training_set, rmse, 0.3 / K, wobble))
    assert verdicts(records) == {"1a": "reproduced", "1b": "reproduced", "2.": "reproduced", "3.": "reproduced"}


def test_converging_records_refute_claims_2_and_3():
    records = []
    for K, offset in zip((2, 3, 4, 5), (1.0, 0.3, 0.1, 0.03)):  # geometric convergence onto DFT
        for training_set, rmse in (("narrow", 0.2), ("crystals", 0.4), ("diverse", 0.5)):
            records.append(record(K, training_set, rmse, 0.3 / K, offset))
    result = verdicts(records)
    assert result["1a"] == "not reproduced"  # diverse validates worst here
    assert result["2."] == "not reproduced" and result["3."] == "not reproduced"
    assert result["1b"] == "partly"  # only the K = 2 curve is far (1.0 eV > 0.5 eV)


def test_each_criterion_of_claims_1a_and_3_counts():
    """1a needs `diverse` best on energies *and* forces; 3 needs a training loss that does not grow
    with K (5 % tolerance): breaking either in one place changes the verdict."""

    def paper_like(energy_worse_at=None, loss_grows_for=None):
        records = []
        for K, wobble in zip((2, 3, 4, 5), (2.0, -1.5, 2.5, -2.0)):
            for training_set, rmse in (("narrow", 0.5), ("crystals", 0.4), ("diverse", 0.2)):
                train = 0.3 * K / 2 if training_set == loss_grows_for else 0.3 / K
                worse = training_set == "diverse" and K == energy_worse_at  # best on forces, worst on energies
                records.append(record(K, training_set, rmse, train, wobble, test_energy=900.0 if worse else None))
        return verdicts(records)

    assert paper_like()["1a"] == "reproduced" and paper_like()["3."] == "reproduced"
    assert paper_like(energy_worse_at=3)["1a"] == "partly"  # 3 of 4 K
    assert paper_like(loss_grows_for="crystals")["3."] == "partly"  # 2 of 3 sets
    assert paper_like(loss_grows_for="crystals")["1a"] == "reproduced"


def test_select_and_missing_runs():
    records = [record(2, "diverse", 0.1, 0.1, 0.0), record(3, "narrow", 0.1, 0.1, 0.0)]
    assert len(select(records, training_set="diverse")) == 1
    assert select(records, body_order=4) == []
    assert verdicts([])["1a"].startswith("not tested")


def v2_records(offsets_by_run):
    records = []
    for (variant, training_set), offsets in offsets_by_run.items():
        for K, offset in zip((2, 3, 4, 5), offsets):
            records.append(record(K, training_set, 0.1, 0.1, offset, variant=variant))
    return records


def v2_verdicts(records):
    return {v.claim[:3]: v.verdict for v in assess_v2_claims(records, DFT)}


def test_v2_claims_reproduced_by_paper_like_records():
    records = v2_records(
        {
            ("standard", "clusters+dimers"): (1.0, -0.8, 1.2, -0.9),  # jumps around
            ("pure", "diverse"): (2.0, -1.0, 1.5, 0.5),
            ("pure", "clusters+dimers"): (0.8, 0.4, 0.25, 0.2),  # steps 0.4, 0.15, 0.05: converging
        }
    )
    assert v2_verdicts(records) == {"v2a": "reproduced", "v2b": "reproduced", "v2c": "reproduced"}


def test_v2_claims_refuted_or_partly():
    records = v2_records(
        {
            ("standard", "clusters+dimers"): (0.5, 0.3, 0.25, 0.24),  # the standard basis converges too
            ("pure", "diverse"): (0.5, 0.3, 0.25, 0.24),
            ("pure", "clusters+dimers"): (2.0, 1.0, 0.5, 0.2),  # steps 1.0, 0.5, 0.3: shrinking, not below 0.1
        }
    )
    assert v2_verdicts(records) == {"v2a": "not reproduced", "v2b": "not reproduced", "v2c": "partly"}
    assert v2_verdicts([])["v2c"].startswith("not tested")


def test_study_summary_and_before_after_comparison():
    from linace.study.claims import compare_summaries, study_summary

    wobbly = [
        record(K, s, 0.3, 0.1, w)
        for K, w in zip((2, 3, 4, 5), (2.0, -1.5, 2.5, -2.0))
        for s in ("narrow", "crystals", "diverse")
    ]
    converging = [
        record(K, s, 0.3, 0.1, o)
        for K, o in zip((2, 3, 4, 5), (1.0, 0.3, 0.1, 0.03))
        for s in ("narrow", "crystals", "diverse")
    ]
    before, after = study_summary(wobbly, DFT), study_summary(converging, DFT)
    assert set(before["convergence"]) == {"standard, narrow", "standard, crystals", "standard, diverse"}
    assert [row["body_order"] for row in before["convergence"]["standard, diverse"]] == [2, 3, 4, 5]
    step = before["convergence"]["standard, diverse"][1]["distance_to_previous_K_eV"]
    assert np.isclose(step, 3.5, atol=0.05)  # the curve moved from +2.0 to -1.5 eV
    table = compare_summaries(before, after)
    changed = {claim[:2] for claim, old, new, flag in table["verdicts"] if flag}
    assert "2." in changed and "3." in changed  # the convergence claims flip
    row = next(r for r in table["convergence"] if r[:3] == ("standard, diverse", 5, "distance_to_dft_eV"))
    assert np.isclose(row[3], 2.0, atol=0.05) and np.isclose(row[4], 0.03, atol=0.01)


def test_v1_claims_without_bulk_runs_are_not_tested():
    records = [record(K, "clusters+dimers", 0.1, 0.1, 0.5) for K in (2, 3, 4)]
    assert set(verdicts(records).values()) == {"not tested (no runs)"}


def test_claims_graded_over_draws_count_the_draws_where_they_hold():
    from linace.study.claims import grade_over_draws

    records = []
    for draw in range(10):  # draws 0-8 paper-like (curves jump around DFT), draw 9 converging onto it
        offsets = (1.0, 0.3, 0.1, 0.03) if draw == 9 else (2.0, -1.5, 2.5, -2.0)
        for K, offset in zip((2, 3, 4, 5), offsets):
            for training_set, rmse in (("narrow", 0.5), ("crystals", 0.4), ("diverse", 0.2)):
                records.append(record(K, training_set, rmse, 0.3 / K, offset, train_size=40, draw=draw))
    records.append(record(2, "diverse", 0.1, 0.1, 0.0))  # a whole-set run: not a draw, ignored
    graded = {v.claim[:2]: v for v in grade_over_draws(records, DFT, train_size=40)}
    assert (graded["2."].holds, graded["2."].draws, graded["2."].verdict) == (9, 10, "reproduced")
    assert graded["1a"].holds == 10 and graded["1a"].verdict == "reproduced"
    assert graded["v2"].draws == 0  # no pure or tailored runs: v2 claims are not tested
    assert grade_over_draws(records, DFT, train_size=80) == [] or all(
        v.draws == 0 for v in grade_over_draws(records, DFT, train_size=80)
    )


def test_a_single_draw_is_reported_as_itself_not_graded_over_draws():
    from linace.study.claims import DrawVerdict

    one = DrawVerdict("1a", "criterion", 320, holds=0, partly=1, draws=1, verdict="not reproduced")
    assert one.only_draw_verdict == "partly"
    assert one.count == "the one draw at N = 320: partly"
    assert DrawVerdict("1a", "c", 320, 1, 0, 1, "reproduced").only_draw_verdict == "reproduced"
    assert DrawVerdict("1a", "c", 320, 0, 0, 1, "not reproduced").only_draw_verdict == "not reproduced"
    many = DrawVerdict("1a", "criterion", 40, holds=0, partly=10, draws=10, verdict="not reproduced")
    assert many.only_draw_verdict is None
    assert many.count == "0 of 10 draws, partly in 10, at N = 40"
    assert DrawVerdict("2", "c", 80, 9, 0, 10, "reproduced").count == "9 of 10 draws at N = 80"


def test_claims_over_draws_are_set_beside_a_snapshot_at_every_size_either_tested():
    from linace.study.claims import DrawVerdict, compare_over_draws, snapshot_draws

    before = {
        "40": [
            {"claim": "1b", "holds": 5, "partly": 5, "draws": 10, "verdict": "depends on the draw"},
            {"claim": "v2a", "holds": 0, "partly": 0, "draws": 0, "verdict": "not tested (no draws)"},
        ],
        "80": [{"claim": "1b", "holds": 8, "partly": 2, "draws": 10, "verdict": "reproduced"}],
    }
    now = {
        40: [
            DrawVerdict("1b. Text", "c", 40, 9, 1, 10, "reproduced"),
            DrawVerdict("v2a. Text", "c", 40, 1, 0, 10, "not reproduced"),
        ],
        320: [DrawVerdict("1b. Text", "c", 320, 8, 0, 10, "reproduced")],
    }
    rows = compare_over_draws(before, now)
    assert [(r["claim"], r["train_size"], r["changed"]) for r in rows] == [
        ("1b", 40, True),
        ("1b", 80, False),
        ("1b", 320, False),
        ("v2a", 40, False),
    ]
    assert rows[1]["now"] is None and rows[2]["before"] is None  # untested on one side: never "changed"
    assert rows[3]["before"] is None  # zero draws count as untested
    assert rows[0]["now"] == {"holds": 9, "draws": 10, "verdict": "reproduced"}
    stored = snapshot_draws(now)  # a later snapshot of the same numbers compares the same way
    assert stored["40"][0] == {"claim": "1b", "holds": 9, "partly": 1, "draws": 10, "verdict": "reproduced"}
    assert compare_over_draws(before, stored) == rows


def test_convergence_is_attributed_to_the_dimers_or_the_basis():
    """convergence_source names the ingredient whose absence stops convergence (criterion of v2c)."""
    from linace.study.claims import convergence_by_ingredient, convergence_source

    converging, jumping = (0.8, 0.4, 0.25, 0.2), (1.0, -0.8, 1.2, -0.9)

    def source(standard_tailored, pure_clusters):
        records = v2_records(
            {
                ("standard", "clusters+dimers"): standard_tailored,
                ("pure", "clusters"): pure_clusters,
                ("pure", "clusters+dimers"): converging,
            }
        )
        converges = convergence_by_ingredient(records, DFT)
        assert converges[("pure", "clusters+dimers")][0] == "yes"
        assert converges[("standard", "diverse")] == ("untested", [])
        return convergence_source(converges)

    assert "comes from the dimers" in source(converging, jumping)
    assert "comes from the pure basis" in source(jumping, converging)
    assert "both ingredients are needed" in source(jumping, jumping)
    assert "neither ingredient" in source(converging, converging)
    no_pure = convergence_by_ingredient(v2_records({("pure", "clusters+dimers"): jumping}), DFT)
    assert "no convergence to attribute" in convergence_source(no_pure)
    untested = convergence_by_ingredient(v2_records({("pure", "clusters+dimers"): converging}), DFT)
    assert "not tested" in convergence_source(untested)


def paper_like_records(energy_worse_at=None, loss_grows_for=None, near_dft_at=None, **parameters):
    """Records for which every v1 claim holds, unless one condition is broken: `diverse` worst in test
    energy at K = ``energy_worse_at`` (one K, or a tuple of them), a training loss that grows with K for
    ``loss_grows_for``, the `diverse` curve within 0.3 eV of DFT at K = ``near_dft_at``; further run
    ``parameters`` (e.g. train_size, draw) on every record."""
    worse_at = energy_worse_at if isinstance(energy_worse_at, tuple) else (energy_worse_at,)
    records = []
    for K, wobble in zip((2, 3, 4, 5), (2.0, -1.5, 2.5, -2.0)):
        for training_set, rmse in (("narrow", 0.5), ("crystals", 0.4), ("diverse", 0.2)):
            train = 0.3 * K / 2 if training_set == loss_grows_for else 0.3 / K
            offset = 0.3 if (training_set == "diverse" and K == near_dft_at) else wobble
            worse = training_set == "diverse" and K in worse_at
            records.append(
                record(K, training_set, rmse, train, offset, test_energy=900.0 if worse else None, **parameters)
            )
    return records


def by_id(verdicts):
    from linace.study.claims import claim_id

    return {claim_id(v.claim): v for v in verdicts}


def test_a_reproduced_claim_names_no_failing_condition_and_an_untested_one_says_so():
    v1 = by_id(assess_claims(paper_like_records(), DFT))
    assert all(v.verdict == "reproduced" and v.failures == [] and v.failing == "none" for v in v1.values())
    assert by_id(assess_claims([], DFT))["1a"].failing == "not tested"


def test_each_v1_verdict_names_the_condition_that_fails_with_its_numbers():
    v = by_id(assess_claims(paper_like_records(energy_worse_at=2), DFT))["1a"]
    assert v.verdict == "partly"
    assert [f.condition for f in v.failures] == ["K = 2: `diverse` not lowest in test energy RMSE"]
    assert v.failures[0].detail == "crystals 400, diverse 900 meV/atom"
    assert v.failing == "K = 2: `diverse` not lowest in test energy RMSE (crystals 400, diverse 900 meV/atom)"

    v = by_id(assess_claims(paper_like_records(near_dft_at=4), DFT))["1b"]
    assert v.verdict == "partly"
    assert [(f.condition, f.detail) for f in v.failures] == [("K = 4: `diverse` curve within 0.5 eV of DFT", "0.30 eV")]

    v = by_id(assess_claims(paper_like_records(loss_grows_for="crystals"), DFT))["3"]
    assert [f.condition for f in v.failures] == ["`crystals`: training force RMSE grows with K"]
    assert v.failures[0].detail == "0.30 → 0.45 → 0.60 → 0.75 eV/Å"

    converging = [
        record(K, s, 0.3, 0.3 / K, o)
        for K, o in zip((2, 3, 4, 5), (1.0, 0.3, 0.1, 0.03))
        for s in ("narrow", "diverse")
    ]
    result = by_id(assess_claims(converging, DFT))
    assert [f.condition for f in result["2"].failures] == ["`narrow` converges in K", "`diverse` converges in K"]
    assert result["2"].failures[0].detail.startswith("successive-K distances 0.70 → 0.20 → 0.07")
    assert "`diverse`: dimer curve approaches DFT at every K, to below 0.5 eV" in [
        f.condition for f in result["3"].failures
    ]


def test_each_v2_verdict_names_the_condition_that_fails():
    records = v2_records(
        {
            ("standard", "clusters+dimers"): (0.5, 0.3, 0.25, 0.24),  # converges: v2a fails
            ("pure", "diverse"): (2.0, -1.0, 1.5, 0.5),  # does not converge: v2b holds
            ("pure", "clusters+dimers"): (2.0, 1.0, 0.5, 0.2),  # shrinks, last step 0.3 eV: v2c partly
        }
    )
    v = by_id(assess_v2_claims(records, DFT))
    assert [f.condition for f in v["v2a"].failures] == ["standard basis on `clusters+dimers` converges in K"]
    assert v["v2b"].failures == [] and v["v2b"].failing == "none"
    assert [(f.condition, f.detail) for f in v["v2c"].failures] == [
        ("pure basis on `clusters+dimers`: last successive-K distance not below 0.1 eV", "0.30 eV")
    ]
    jumping = by_id(assess_v2_claims(v2_records({("pure", "clusters+dimers"): (1.0, -0.8, 1.2, -0.9)}), DFT))["v2c"]
    assert jumping.verdict == "not reproduced"
    assert (
        jumping.failures[0].condition
        == "pure basis on `clusters+dimers`: successive-K distances do not shrink at every K"
    )


@pytest.mark.parametrize(
    "holds, partly, draws, verdict",
    [
        (0, 10, 10, "partly (in every draw)"),
        (2, 8, 10, "partly (in every draw)"),  # no draw refutes it
        (0, 9, 10, "not reproduced"),
        (2, 7, 10, "not reproduced"),  # one draw refutes it
        (3, 7, 10, "depends on the draw"),
        (8, 2, 10, "reproduced"),
        (0, 0, 0, "not tested (no draws)"),
    ],
)
def test_partly_in_every_draw_is_a_grade_of_its_own(holds, partly, draws, verdict):
    from linace.study.claims import over_draws_grade

    assert over_draws_grade(holds, partly, draws) == verdict


def test_the_failing_conditions_are_counted_over_draws():
    from linace.study.claims import grade_over_draws

    records = []
    for draw in range(10):  # every draw: diverse worst in energy at K = 2; in draws 0-2 also at K = 3
        records += paper_like_records(energy_worse_at=(2, 3) if draw < 3 else 2, train_size=40, draw=draw)
    one_a = by_id(grade_over_draws(records, DFT, train_size=40))["1a"]
    assert (one_a.holds, one_a.partly, one_a.verdict) == (0, 10, "partly (in every draw)")
    assert one_a.failing == {
        "K = 2: `diverse` not lowest in test energy RMSE": 10,
        "K = 3: `diverse` not lowest in test energy RMSE": 3,
    }
    assert one_a.failing_summary == (
        "K = 2: `diverse` not lowest in test energy RMSE (10 of 10 draws); "
        "K = 3: `diverse` not lowest in test energy RMSE (3 of 10 draws)"
    )


def test_a_stored_not_reproduced_that_held_partly_in_every_draw_is_read_in_today_s_label():
    from linace.study.claims import compare_over_draws, current_grade

    stored = {"claim": "1a", "holds": 0, "partly": 10, "draws": 10, "verdict": "not reproduced"}
    assert current_grade(stored) == "partly (in every draw)"
    assert current_grade({**stored, "partly": 9}) == "not reproduced"
    assert (
        current_grade({"claim": "1a", "holds": 5, "partly": 5, "draws": 10, "verdict": "depends on the draw"})
        == "depends on the draw"
    )
    now = {"40": [{**stored, "verdict": "partly (in every draw)"}]}
    (row,) = compare_over_draws({"40": [stored]}, now)
    assert not row["changed"] and row["before"]["verdict"] == "partly (in every draw)"


def test_failing_conditions_over_draws_keep_the_order_the_verdicts_name_them(monkeypatch):
    """The failing conditions counted over draws keep the verdicts' order, not a set's (a set of strings
    iterates in the order of their hashes, which changes between interpreters: the book's "fails on"
    lists then changed from one build to the next)."""
    from linace.study import claims

    conditions = [f"K = {K}: `{s}` not lowest" for K in (2, 3, 4, 5) for s in ("narrow", "crystals", "diverse")]
    failing = claims.Verdict("1a", "criterion", "not reproduced", "", [claims.Failure(c, "") for c in conditions])
    monkeypatch.setattr(claims, "assess_claims", lambda records, dft: [failing])
    monkeypatch.setattr(claims, "assess_v2_claims", lambda records, dft: [])
    records = [record(2, "diverse", 0.2, 0.1, 0.0, train_size=40, draw=draw) for draw in range(3)]
    (graded,) = claims.grade_over_draws(records, DFT, train_size=40)
    assert list(graded.failing) == conditions and set(graded.failing.values()) == {3}
