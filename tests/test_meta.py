"""peermentor.analysis.meta.pool against metafor's published worked example (BCG vaccine trials).

Data: metafor's ``dat.bcg`` (Colditz et al. 1994), 13 trials, as printed in the metafor
documentation. Log risk ratios and their sampling variances are computed as
``escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg)`` does (statsmodels' Table2x2:
log RR and its large-sample SE).

Expected values are typed from metafor's printed output, not from our own run:

* REML (``rma(yi, vi, data=dat)``, Viechtbauer 2010, J Stat Softw 36(3), and the metafor
  reference pages): estimate -0.7145, se 0.1798, z -3.9744, CI -1.0669 to -0.3622,
  tau^2 0.3132, I^2 92.22%, Q(df = 12) = 152.2330; ``predict(res, transf=exp)``:
  pred 0.4894, PI (cr.lb, cr.ub) 0.1546 to 1.5490. With ``test="knha"``: se 0.1808,
  CI -1.1084 to -0.3206, and ``predict(res, transf=exp, digits=2)`` PI 0.14 to 1.76.
* DL (metafor's tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r, checked there
  against Stata's metan): estimate -0.7141, CI -1.0644 to -0.3638, z -3.9952, tau^2
  0.3088, I^2 92.1173; ``predict(res, transf=exp)``: 0.4896 (0.3449, 0.6950).
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.contingency_tables import Table2x2

from peermentor.analysis.meta import POOLED_COLUMNS, pool

TPOS = [4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27]
TNEG = [119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886]
CPOS = [11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29]
CNEG = [128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825]


@pytest.fixture(scope="module")
def bcg() -> pd.DataFrame:
    rows = []
    for a, b, c, d in zip(TPOS, TNEG, CPOS, CNEG, strict=True):
        table = Table2x2(np.array([[a, b], [c, d]]))
        rows.append({"estimate": table.log_riskratio, "se": table.log_riskratio_se})
    return pd.DataFrame(rows)


def test_escalc_values_match_metafor(bcg):
    # First two rows of escalc(measure="RR", ...) as metafor prints them (yi, vi).
    assert round(bcg["estimate"][0], 4) == -0.8893
    assert round(bcg["se"][0] ** 2, 4) == 0.3256
    assert round(bcg["estimate"][1], 4) == -1.5854
    assert round(bcg["se"][1] ** 2, 4) == 0.1946


def test_reml_matches_metafor(bcg):
    row = pool(bcg, knapp_hartung=False).iloc[0]
    assert list(pool(bcg, knapp_hartung=False).columns) == POOLED_COLUMNS
    assert row["method"] == "REML" and row["k"] == 13
    assert round(row["estimate"], 4) == -0.7145
    assert round(row["se"], 4) == 0.1798
    assert round(row["ci_low"], 4) == -1.0669
    assert round(row["ci_high"], 4) == -0.3622
    assert round(row["tau2"], 4) == 0.3132
    assert round(row["i2"], 2) == 92.22
    assert round(row["q"], 4) == 152.2330
    assert row["q_df"] == 12 and row["q_p"] < 1e-4
    assert round(math.exp(row["estimate"]), 4) == 0.4894
    assert round(math.exp(row["pi_low"]), 4) == 0.1546
    assert round(math.exp(row["pi_high"]), 4) == 1.5490


def test_dl_matches_metafor(bcg):
    row = pool(bcg, method="dl", knapp_hartung=False).iloc[0]
    assert row["method"] == "DL"
    assert round(row["estimate"], 4) == -0.7141
    assert round(row["ci_low"], 4) == -1.0644
    assert round(row["ci_high"], 4) == -0.3638
    assert round(row["estimate"] / row["se"], 4) == -3.9952
    assert round(row["tau2"], 4) == 0.3088
    assert round(row["i2"], 4) == 92.1173
    assert round(math.exp(row["estimate"]), 4) == 0.4896
    assert round(math.exp(row["ci_low"]), 4) == 0.3449
    assert round(math.exp(row["ci_high"]), 4) == 0.6950


def test_knapp_hartung_scales_se_and_uses_t_on_k_minus_1(bcg):
    plain = pool(bcg, knapp_hartung=False).iloc[0]
    kh = pool(bcg, knapp_hartung=True).iloc[0]
    # Hand calculation of the Hartung-Knapp definition: se_KH^2 =
    # sum(w * (y - mu)^2) / ((k - 1) * sum(w)), w = 1 / (v + tau2), same REML tau2 and mu.
    w = 1 / (bcg["se"] ** 2 + plain["tau2"])
    expected_se = math.sqrt((w * (bcg["estimate"] - plain["estimate"]) ** 2).sum()
                            / (12 * w.sum()))
    assert kh["estimate"] == pytest.approx(plain["estimate"])
    assert kh["se"] == pytest.approx(expected_se, rel=1e-6)
    crit = sps.t.ppf(0.975, 12)
    assert kh["ci_low"] == pytest.approx(kh["estimate"] - crit * kh["se"], rel=1e-9)
    assert kh["pi_high"] == pytest.approx(
        kh["estimate"] + crit * math.sqrt(kh["se"] ** 2 + kh["tau2"]), rel=1e-9)
    assert kh["ci_method"] == "knapp-hartung t(df=12)"
    # metafor's printed output of rma(yi, vi, data=dat, test="knha") and of
    # predict(res, transf=exp, digits=2) for it (metafor's BCG example pages)
    assert (round(kh["se"], 4), round(kh["ci_low"], 4), round(kh["ci_high"], 4)) == (
        0.1808, -1.1084, -0.3206)
    assert (round(math.exp(kh["pi_low"]), 2), round(math.exp(kh["pi_high"]), 2)) == (0.14, 1.76)


def test_homogeneous_studies_give_zero_tau2_and_fixed_effect_answer():
    # Two identical estimates: tau2 = 0, I2 = 0, the pooled se is 1/sqrt(sum(1/v)).
    row = pool(pd.DataFrame({"estimate": [0.3, 0.3], "se": [0.2, 0.2]}),
               knapp_hartung=False).iloc[0]
    assert row["tau2"] == pytest.approx(0.0, abs=1e-8)
    assert row["i2"] == pytest.approx(0.0, abs=1e-6)
    assert row["se"] == pytest.approx(0.2 / math.sqrt(2))


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"estimate": [0.1], "se": [0.1]}), "at least 2"),
        (pd.DataFrame({"estimate": [0.1, 0.2], "se": [0.1, 0.0]}), "row 1"),
        (pd.DataFrame({"estimate": [0.1, float("nan")], "se": [0.1, 0.1]}), "row 1"),
        (pd.DataFrame({"est": [0.1, 0.2], "se": [0.1, 0.1]}), "estimate"),
    ],
)
def test_bad_input_is_named(frame, message):
    with pytest.raises(ValueError, match=message):
        pool(frame, knapp_hartung=False)


def test_unknown_method_is_refused(bcg):
    with pytest.raises(ValueError, match="reml, dl"):
        pool(bcg, method="pm", knapp_hartung=False)


def test_knapp_hartung_must_be_stated():
    # PyMARE's default changed (0.0.11); ours is never left to a default.
    frame = pd.DataFrame({"estimate": [0.1, 0.2], "se": [0.1, 0.1]})
    with pytest.raises(TypeError, match="knapp_hartung"):
        pool(frame)
    with pytest.raises(ValueError, match="True or False"):
        pool(frame, knapp_hartung="yes")


# metafor 3.8.1, computed with Rscript on this machine (values to 6 decimals):
#   library(metafor)
#   dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
#   res <- rma(yi, vi, data=dat, method=m, test=t); p <- predict(res)
#   c(res$b, res$se, res$zval, res$pval, res$ci.lb, res$ci.ub, res$tau2, p$pi.lb, p$pi.ub)
# for m in "REML", "DL" and t in "z", "knha" (zval is t under knha).
METAFOR_BCG = {
    ("reml", False): (-0.714532, 0.179782, -3.974448, 7.054267e-05, -1.066898, -0.362167,
                      0.313243, -1.866692, 0.437628),
    ("reml", True): (-0.714532, 0.180792, -3.952240, 1.920015e-03, -1.108444, -0.320621,
                     0.313243, -1.996017, 0.566952),
    ("dl", False): (-0.714117, 0.178742, -3.995238, 6.462924e-05, -1.064445, -0.363789,
                    0.308760, -1.858154, 0.429919),
    ("dl", True): (-0.714117, 0.180697, -3.952023, 1.920767e-03, -1.107821, -0.320413,
                   0.308760, -1.987207, 0.558973),
}
COMPARED = ["estimate", "se", "stat", "p", "ci_low", "ci_high", "tau2", "pi_low", "pi_high"]


@pytest.mark.parametrize(("method", "knapp_hartung"), sorted(METAFOR_BCG))
def test_both_settings_match_metafor_on_bcg(bcg, method, knapp_hartung):
    row = pool(bcg, method=method, knapp_hartung=knapp_hartung).iloc[0]
    for col, expected in zip(COMPARED, METAFOR_BCG[(method, knapp_hartung)], strict=True):
        tolerance = 1e-5 * abs(expected) if col == "p" else 2e-6
        assert row[col] == pytest.approx(expected, abs=tolerance), (col, row[col], expected)
    assert row["ci_method"] == ("knapp-hartung t(df=12)" if knapp_hartung else "z")
    assert not row["tau2_at_zero"]


# A homogeneous set, tau2 at its boundary. metafor 3.8.1, Rscript:
#   y <- c(0.10, 0.30, 0.20, 0.25); v <- c(0.04, 0.05, 0.03, 0.06)
#   res <- rma(y, v, method=m, test=t)  # m in REML, DL; t in z, knha: tau2 = 0 in all four
# z:    b=0.203509 se=0.102598 zval=1.983558 pval=4.730512e-02 ci=[0.002421, 0.404597]
# knha: b=0.203509 se=0.041485 tval=4.905546 pval=1.621715e-02 ci=[0.071484, 0.335534]
# (predict(res): the PI equals the CI; QE = 0.490497)
HOMOGENEOUS = pd.DataFrame({"estimate": [0.10, 0.30, 0.20, 0.25],
                            "se": np.sqrt([0.04, 0.05, 0.03, 0.06])})
METAFOR_HOMOGENEOUS = {
    False: (0.203509, 0.102598, 1.983558, 4.730512e-02, 0.002421, 0.404597),
    True: (0.203509, 0.041485, 4.905546, 1.621715e-02, 0.071484, 0.335534),
}


@pytest.mark.parametrize("method", ["reml", "dl"])
@pytest.mark.parametrize("knapp_hartung", [False, True])
def test_tau2_at_its_boundary_is_flagged_and_matches_metafor(method, knapp_hartung):
    row = pool(HOMOGENEOUS, method=method, knapp_hartung=knapp_hartung).iloc[0]
    assert row["tau2"] == 0.0 and row["tau2_at_zero"]
    for col, expected in zip(COMPARED[:6], METAFOR_HOMOGENEOUS[knapp_hartung], strict=True):
        tolerance = 1e-5 * abs(expected) if col == "p" else 2e-6
        assert row[col] == pytest.approx(expected, abs=tolerance), (col, row[col], expected)
    assert (row["pi_low"], row["pi_high"]) == pytest.approx((row["ci_low"], row["ci_high"]))
    assert row["q"] == pytest.approx(0.490497, abs=2e-6)


def test_pooled_table_says_when_tau2_is_at_zero():
    from peermentor.analysis.meta import TAU2_AT_ZERO, pool_effects

    effects = pd.DataFrame({
        "program": list("abcd"), "year": "2024", "construct": "v", "comparison": "x_vs_y",
        "metric": "hedges_g", "pool_scale": "identity",
        "pool_estimate": HOMOGENEOUS["estimate"], "pool_se": HOMOGENEOUS["se"]})
    row = pool_effects(effects, knapp_hartung=True).iloc[0]
    assert row["tau2_at_zero"] and TAU2_AT_ZERO in row["note"]
    assert row["stat"] == pytest.approx(4.905546, abs=2e-6)
    assert row["p"] == pytest.approx(1.621715e-02, rel=1e-5)
