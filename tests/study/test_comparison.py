"""linace.study.comparison: standard and pure bases on an element's runs (chapters 06 and 07)."""

import matplotlib
import numpy as np
import pytest
from synthetic_records import DFT, make_record

from linace.analysis import cancellation_ratio
from linace.study import comparison
from linace.study.claims import Verdict

matplotlib.use("Agg")

#: successive curves DFT + offset: distances to DFT are the offsets, successive-K distances their differences
OFFSETS = {2: 1.5, 3: 0.5, 4: 0.2, 5: 0.1}


def _runs(variant, training_set, offsets=OFFSETS):
    return [make_record(K, training_set, variant, offset=offset) for K, offset in offsets.items()]


def test_variants_and_the_sets_both_were_run_on():
    records = _runs("standard", "diverse") + _runs("standard", "clusters") + _runs("pure", "clusters")
    records += _runs("pure", "clusters+dimers") + _runs("standard", "clusters+dimers") + _runs("standard", "narrow")
    assert comparison.variants_of(records) == ["standard", "pure"]
    assert comparison.variants_of(_runs("pure", "diverse")) == ["pure"]
    assert comparison.compared_sets(records, ["standard", "pure"]) == ["clusters", "clusters+dimers"]  # plan order
    assert comparison.compared_sets(records, ["standard"]) == ["diverse", "clusters", "clusters+dimers"]


def test_the_convergence_glue_quotes_k_3_and_up():
    records = _runs("standard", "clusters+dimers") + _runs("pure", "diverse", {2: 1.0, 3: 0.4, 4: 0.9, 5: 0.6})
    values = {
        **comparison.convergence_glue(records, ["standard"], ["clusters+dimers"], DFT),
        **comparison.convergence_glue(records, ["pure"], ["diverse"], DFT),
    }
    assert values["prev_standard_clusters_dimers"] == "1.00 → 0.30 → 0.10"
    assert values["dft_standard_clusters_dimers"] == "0.50 → 0.20 → 0.10"
    assert values["prev_max_standard_clusters_dimers"] == "1.00" and values["last_standard_clusters_dimers"] == "0.10"
    assert values["dft_range_standard_clusters_dimers"] == "0.10–0.50"
    assert values["prev_pure_diverse"] == "0.60 → 0.50 → 0.30" and values["dft_range_pure_diverse"] == "0.40–0.90"
    assert len(values) == 2 * 5
    with pytest.raises(ValueError):  # a (variant, set) without runs at K >= 3 has no numbers to quote
        comparison.convergence_glue(records, ["pure"], ["clusters+dimers"], DFT)


def test_a_successive_chain_or_no_runs():
    records = _runs("standard", "diverse")[::-1]  # any order
    assert comparison.successive_chain(records, "standard", "diverse", DFT) == "1.00 → 0.30 → 0.10"
    assert comparison.successive_chain(records, "pure", "diverse", DFT) == "no runs"


def test_the_gap_between_variants_beside_the_change_in_k():
    records = _runs("standard", "diverse") + [
        make_record(K, "diverse", "pure", offset=o + 0.01) for K, o in OFFSETS.items() if K != 4
    ]
    gaps = comparison.variant_gaps(records, ["diverse"], DFT)
    assert [gap["K"] for gap in gaps] == [2, 3, 5]  # K = 4 has no pure run
    assert all(gap["standard_vs_pure"] == pytest.approx(0.01) for gap in gaps)
    assert np.isnan(gaps[0]["successive"]) and gaps[1]["successive"] == pytest.approx(1.0)
    assert gaps[2]["successive"] == pytest.approx(0.1)  # from K = 4, the standard basis's own step
    assert [gap["to_dft"] for gap in gaps] == pytest.approx([1.5, 0.5, 0.1])


def test_verdicts_beside_another_element_s():
    verdicts = [
        Verdict("v2a. Standard bases ...", "c", "not reproduced", "e"),
        Verdict("v2c. Tailored data ...", "c", "reproduced", "e"),
    ]
    lines = comparison.verdicts_beside_markdown(verdicts, {"v2a": "partly"}, "Si").splitlines()
    assert lines[0] == "| claim | the paper says | Si | C |"
    assert lines[2] == "| v2a | standard bases are unstable in K, even on tailored data | **not reproduced** | partly |"
    assert lines[3].endswith("| **reproduced** | no carbon runs |")


def test_the_decomposition_figure_gives_each_variant_s_cancellation_ratio():
    parts = {2: 2 * DFT[1], 3: -DFT[1]}
    records = [make_record(4, "clusters+dimers", parts=parts), make_record(4, "clusters+dimers", "pure", offset=0.0)]
    fig, ratios = comparison.decomposition_figure(
        records, ["standard", "pure", "other"], "clusters+dimers", 4, DFT, (1.0, 4.5)
    )
    assert ratios["standard"] == pytest.approx(3.0, rel=1e-3) and ratios["pure"] == pytest.approx(1.0)
    assert ratios["standard"] == cancellation_ratio(records[0].dimer, (1.0, 4.5)) and "other" not in ratios
    standard, pure, other = fig.axes
    assert standard.get_title() == "standard, clusters+dimers, K = 4" and not other.get_visible()
    assert pure.get_ylim() == (-8.0, 8.0)  # at least ±8 eV (the panels share the axis: the last one's)
    fig, _ = comparison.decomposition_figure(records[:1], ["standard"], "clusters+dimers", 4, DFT, (1.0, 4.5))
    assert fig.axes[0].get_ylim()[1] == pytest.approx(1.1 * 14, rel=1e-3)  # the largest part, 2 x a 7 eV well
