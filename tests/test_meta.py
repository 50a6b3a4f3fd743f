"""peermentor.meta.pool against metafor's published worked example (BCG vaccine trials).

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

from peermentor.meta import POOLED_COLUMNS, pool

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
    row = pool(bcg).iloc[0]
    assert list(pool(bcg).columns) == POOLED_COLUMNS
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
    row = pool(bcg, method="dl").iloc[0]
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
    plain = pool(bcg).iloc[0]
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
    row = pool(pd.DataFrame({"estimate": [0.3, 0.3], "se": [0.2, 0.2]})).iloc[0]
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
        pool(frame)


def test_unknown_method_is_refused(bcg):
    with pytest.raises(ValueError, match="reml, dl"):
        pool(bcg, method="pm")
