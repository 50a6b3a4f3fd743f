"""What a comparison can detect: peermentor.analysis.precision against R's pwr, and where it shows.

Reference values computed with R 4 and pwr 1.3.0 (Debian r-cran-pwr), the call beside
each; they agree to 3 decimals.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from peermentor.analysis.effects import EFFECT_COLUMNS, cohort_effects
from peermentor.analysis.meta import pool, pool_effects
from peermentor.analysis.precision import (
    UNDERPOWERED_FINDING,
    detectable_d_mann_whitney,
    detectable_effect,
    detectable_fields,
    detectable_w,
    power_at,
    with_halving,
)
from peermentor.ingest.config import load_program
from peermentor.papers.audit import BUILT_IN_FINDINGS, audit, findings
from peermentor.papers.published import load_published
from peermentor.publish.compare import share_effects
from peermentor.publish.privacy import share_stats
from peermentor.publish.report import detectable_sentence, detectable_table

ROOT = Path(__file__).resolve().parents[1]

# (n1, n2, alpha, power) -> d, from pwr.t2n.test(n1=, n2=, sig.level=, power=)$d
R_T2N = {
    (10, 9, 0.05, 0.8): 1.3659570662,
    (42, 48, 0.05, 0.8): 0.5985014370,
    (20, 20, 0.05, 0.8): 0.9091587051,
    (15, 40, 0.01, 0.9): 1.2059911166,
}
# (n1, n2) -> h, from pwr.2p2n.test(n1=, n2=, sig.level=0.05, power=0.8)$h
R_2P2N = {(42, 48): 0.5919429140, (14, 4): 1.5883582631, (10, 9): 1.2872378618}
# d <- pwr.t2n.test(n1=n1*3/pi, n2=n2*3/pi, power=0.8)$d; r <- 2*pnorm(d/sqrt(2)) - 1
R_MANN_WHITNEY = {(10, 9): (1.4024552995, 0.6786491079), (42, 48): (0.6127922635, 0.3352101098)}


@pytest.mark.parametrize(("n1", "n2", "alpha", "power"), list(R_T2N))
def test_detectable_d_agrees_with_pwr_t2n(n1, n2, alpha, power):
    got = detectable_effect(n1, n2, "d", alpha=alpha, power=power)
    assert round(got, 3) == round(R_T2N[(n1, n2, alpha, power)], 3)


@pytest.mark.parametrize(("n1", "n2"), list(R_2P2N))
def test_detectable_h_agrees_with_pwr_2p2n(n1, n2):
    assert round(detectable_effect(n1, n2, "h"), 3) == round(R_2P2N[(n1, n2)], 3)


@pytest.mark.parametrize(("n1", "n2"), list(R_MANN_WHITNEY))
def test_detectable_rank_biserial_through_the_are(n1, n2):
    d, r = R_MANN_WHITNEY[(n1, n2)]
    assert round(detectable_d_mann_whitney(n1, n2), 3) == round(d, 3)
    assert round(detectable_effect(n1, n2, "rank_biserial"), 3) == round(r, 3)
    # a rank test needs larger effects than the t-test it is compared with
    assert detectable_d_mann_whitney(n1, n2) > detectable_effect(n1, n2, "d")


def test_chi_square_w_and_power_agree_with_pwr():
    # pwr.chisq.test(N=90, df=5, sig.level=0.05, power=0.8)$w = 0.3775080223
    assert round(detectable_w(90, 6), 3) == 0.378
    # pwr.t2n.test(n1=10, n2=9, d=0.5, sig.level=0.05)$power = 0.1769672749
    assert round(power_at(0.5, 10, 9), 3) == 0.177


def test_detectable_effect_is_the_effect_found_with_80_percent_power():
    d = detectable_effect(25, 30)
    assert power_at(d, 25, 30) == pytest.approx(0.8, abs=1e-6)
    assert power_at(0.9 * d, 25, 30) < 0.8 < power_at(1.1 * d, 25, 30)


def test_nothing_detectable_where_no_outcome_reaches_significance():
    # exact Mann-Whitney: 3 vs 3 has smallest two-sided p 2/20 = 0.1; 4 vs 4: 2/70
    assert math.isnan(detectable_effect(3, 3, "rank_biserial"))
    assert math.isfinite(detectable_effect(4, 4, "rank_biserial"))
    assert math.isnan(detectable_effect(1, 9, "d"))
    with pytest.raises(ValueError, match="metric must be one of"):
        detectable_effect(10, 10, "odds")


def test_yes_no_detectable_on_the_rows_own_scale():
    fields = detectable_fields("risk_difference", 42, 48, baseline=22 / 48)
    h = fields["detectable_std"]
    p_b = 22 / 48
    p_a = p_b + fields["detectable_effect"]
    # the risk difference read back as Cohen's h is the detectable h
    assert 2 * math.asin(math.sqrt(p_a)) - 2 * math.asin(math.sqrt(p_b)) == pytest.approx(h)
    rr = detectable_fields("risk_ratio", 42, 48, baseline=p_b)["detectable_effect"]
    assert rr == pytest.approx(p_a / p_b)
    # near the ceiling nothing that far above exists: the distance is read downwards
    high = detectable_fields("risk_difference", 10, 9, baseline=0.9)
    assert 0 < high["detectable_effect"] < 0.9


def _stats(n_a: int, n_b: int) -> pd.DataFrame:
    rows = []
    for role, n, mean, yes in (("a", n_a, 3.5, n_a // 2), ("b", n_b, 3.0, n_b // 3)):
        rows += [("q", role, "n", n), ("q", role, "mean", mean), ("q", role, "sd", 1.0),
                 ("y", role, "n", n), ("y", role, "count", yes)]
    rows += [("q", "a_vs_b", "rbc", 0.2), ("q", "a_vs_b", "p", 0.4)]
    frame = pd.DataFrame(rows, columns=["item", "group", "statistic", "value"])
    return frame.assign(program="p", year="2024", section="s", option="")


PROGRAM = {"program": "p", "roles": {"a": "Mentors", "b": "Mentees"}, "comparison": ["a", "b"],
           "codebook": [
               {"id": "q", "text": "Q", "type": "likert", "construct": "v",
                "scale": {"min": 1, "max": 5}},
               {"id": "y", "text": "Y", "type": "binary", "construct": "w"}]}


def test_every_effects_row_says_what_it_could_detect():
    table = cohort_effects(_stats(10, 9), {"p": PROGRAM})
    assert list(table.columns) == EFFECT_COLUMNS
    table = table.set_index("metric")
    assert table.loc["hedges_g", "detectable_std"] == pytest.approx(1.366, abs=5e-4)
    assert table.loc["rank_biserial", "detectable_std"] == pytest.approx(1.402, abs=5e-4)
    assert table.loc["rank_biserial", "detectable_effect"] == pytest.approx(0.679, abs=5e-4)
    for metric in ("risk_difference", "risk_ratio", "odds_ratio"):
        assert table.loc[metric, "detectable_scale"] == "h"
        assert table.loc[metric, "detectable_std"] == pytest.approx(1.287, abs=5e-4)
        assert table.loc[metric, "detectable_effect"] > 0
    # the CI half-width is the interval's, on the pooled scale
    g = table.loc["hedges_g"]
    assert g["ci_half_width"] == pytest.approx((g["ci_high"] - g["ci_low"]) / 2, rel=1e-6)
    r = table.loc["rank_biserial"]
    assert r["ci_half_width"] == pytest.approx(1.959964 * r["pool_se"], rel=1e-5)


def test_the_detectable_effect_is_withheld_with_a_small_group():
    table = cohort_effects(_stats(10, 4), {"p": PROGRAM})
    shared = share_effects(table, share_stats(_stats(10, 4), PROGRAM), threshold=5)
    assert (shared["n_b"] == "<5").all()
    # d for 10 vs n is strictly monotone in n: shown, it would give the hidden 4 away
    assert shared["detectable_std"].isna().all()
    assert shared["detectable_effect"].isna().all()
    nine = _stats(10, 9)
    shown = share_effects(cohort_effects(nine, {"p": PROGRAM}), share_stats(nine, PROGRAM),
                          threshold=5)
    assert pd.to_numeric(shown["detectable_std"]).notna().all()


def test_report_table_and_sentence():
    table = cohort_effects(_stats(10, 9), {"p": PROGRAM})
    shown = detectable_table(table, PROGRAM)
    assert shown.loc[("Q", "hedges g"), "Groups"] == "Mentors 10 vs Mentees 9"
    assert shown.loc[("Q", "hedges g"),
                     "Detectable with 80% power (two-sided, \u03b1 = 0.05)"] == "d \u2265 1.37"
    # the observed half-width at 2 decimals, as computed (not rounded further for display)
    half = shown.loc[("Q", "hedges g"), "95% CI half-width (pooled scale)"]
    expected = table.set_index(["item", "metric"]).loc[("q", "hedges_g"), "ci_half_width"]
    assert half == f"{expected:.2f}"
    sentence = detectable_sentence(table, PROGRAM, "likert")
    assert "10 Mentors and 9 Mentees" in sentence and "d = 1.40" in sentence
    assert "not the power to detect the difference observed" in sentence
    small = cohort_effects(_stats(10, 4), {"p": PROGRAM})
    assert "1.6" not in detectable_table(small, PROGRAM).to_string()
    assert "withheld" in detectable_sentence(small, PROGRAM, "binary")


def test_more_cohorts_of_the_typical_size_halve_the_ci():
    ses = [0.2, 0.3, 0.25, 0.35, 0.3]
    effects = pd.DataFrame({"program": [f"p{i}" for i in range(5)], "year": "2024",
                            "construct": "v", "comparison": "a_vs_b", "metric": "hedges_g",
                            "pool_scale": "identity", "pool_estimate": 0.4, "pool_se": ses,
                            "n_a": 20, "n_b": 20})
    pooled = with_halving(pool_effects(effects, knapp_hartung=False), effects).iloc[0]
    m = int(pooled["cohorts_to_halve_ci"])
    assert int(pooled["typical_n"]) == 40

    def se_with(extra: int) -> float:
        frame = pd.DataFrame({"estimate": 0.4, "se": ses + [0.3] * extra})
        return float(pool(frame, knapp_hartung=False).iloc[0]["se"])

    half = float(pooled["se"]) / 2
    assert se_with(m) <= half + 1e-9 < se_with(m - 1)


@pytest.mark.parametrize("program_id", ["ulsan-peer", "unc-ssm"])
def test_audit_judges_no_difference_claims_against_power(program_id):
    program = load_program(ROOT / "config/programs" / f"{program_id}.yaml")
    checks = audit(load_published(ROOT / "config/published" / f"{program_id}.yaml", program),
                   program)
    claims = checks[checks["check"].str.startswith("power of a 'no difference' claim")]
    assert len(claims) == {"ulsan-peer": 6, "unc-ssm": 3}[program_id]
    assert (claims["verdict"] == "underpowered claim").all()
    found = findings(checks).set_index("finding")
    text = BUILT_IN_FINDINGS[UNDERPOWERED_FINDING]  # the finding's one-line text
    assert found.loc[text, "verdict"] == "underpowered claim"
    if program_id == "ulsan-peer":
        row = claims[(claims["source"] == "Abstract")
                     & claims["check"].str.contains("programme_appropriate")].iloc[0]
        assert row["printed"] == "without significant difference"
        # 10 mentors vs 9 mentees, Mann-Whitney (the paper's test): d = 1.40 (pwr above)
        assert row["explanation"].startswith("detectable d = 1.40; 10 Mentors vs 9 Mentees")
        assert "t-test: d >= 1.37" in row["explanation"]
        assert "probability 0.17" in row["explanation"]
    else:
        text = dict(zip(claims["check"], claims["explanation"], strict=True))
        assert text["power of a 'no difference' claim: gender (mentor vs non_mentor)"] \
            .startswith("detectable h = 0.59; 42 Mentors vs 48 Non-mentors")
        assert text["power of a 'no difference' claim: age (mentor vs non_mentor)"] \
            .startswith("detectable d = 0.61")


def test_a_well_powered_claim_is_not_flagged():
    published = {"program": "big", "year": "2024", "values": [
        {"source": "T", "statistic": "responded", "group": "a", "printed": "200"},
        {"source": "T", "statistic": "responded", "group": "b", "printed": "210"},
        {"source": "T", "item": "q", "group": "a_vs_b", "statistic": "p",
         "printed": "no difference", "claim": "not_significant"}]}
    program = {"roles": {"a": "A", "b": "B"}, "codebook": [
        {"id": "q", "text": "Q", "type": "likert", "scale": {"min": 1, "max": 5}}]}
    row = audit(published, program).iloc[-1]
    assert row["verdict"] == "consistent" and "detectable d = 0.28" in row["explanation"]


@pytest.mark.pipeline
def test_bundled_run_every_comparison_says_what_it_could_detect(built):
    effects = pd.read_csv(built / "results/comparison/effects.csv", dtype=str,
                          keep_default_na=False)
    assert len(effects) > 0
    small = effects["n_a"].str.startswith("<") | effects["n_b"].str.startswith("<")
    for _, row in effects.iterrows():
        if small[_]:  # withheld with the group's size
            assert row["detectable_std"] == row["detectable_effect"] == ""
        else:
            assert float(row["detectable_std"]) > 0, row.to_dict()
            assert row["detectable_scale"] in ("d", "h")
    ulsan = effects[(effects["program"] == "ulsan-peer") & (effects["metric"] == "hedges_g")]
    assert set(ulsan["detectable_std"].astype(float).round(3)) == {1.366}  # pwr.t2n.test
    checks = pd.read_csv(built / "results/audit.csv", dtype=str, keep_default_na=False)
    row = checks[(checks["program"] == "ulsan-peer") & (checks["source"] == "Abstract")
                 & checks["check"].str.startswith("power of a 'no difference' claim")]
    assert len(row) == 3 and (row["verdict"] == "underpowered claim").all()
    assert row["explanation"].str.startswith("detectable d = 1.40").all()
    html = (built / "results/cohorts/ulsan-peer/2019/report.html").read_text()
    assert "What this cohort can detect" in html and "What these tests can detect" in html
    summary = (built / "results/comparison/summary.md").read_text()
    assert "detectable (80% power)" in summary
