"""Two-proportion A/B test: z-test, confidence interval, power and sanity checks.

Standard library only (math.erf / math.erfc for the normal distribution).
"""
import json
import math

DEFAULTS = {
    "visitors_a": 10000,
    "conversions_a": 520,
    "visitors_b": 10000,
    "conversions_b": 590,
    "confidence": 0.95,
    "power": 0.8,
    "expected_split": 0.5,
}


def norm_cdf(z):
    return 0.5 * math.erfc(-z / math.sqrt(2))


def norm_ppf(p):
    """Inverse standard normal CDF by bisection (accurate to ~1e-12)."""
    if not 0 < p < 1:
        raise ValueError("probability must be strictly between 0 and 1")
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if norm_cdf(mid) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13:
            break
    return (lo + hi) / 2


def get_int(inputs, key):
    v = inputs.get(key, DEFAULTS[key])
    if isinstance(v, bool):
        raise ValueError("%s must be an integer" % key)
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise ValueError("%s must be an integer (got %r)" % (key, v))
    if f != int(f) or f < 0:
        raise ValueError("%s must be a non-negative integer (got %r)" % (key, v))
    return int(f)


def get_prob(inputs, key):
    try:
        v = float(inputs.get(key, DEFAULTS[key]))
    except (TypeError, ValueError):
        raise ValueError("%s must be a number between 0 and 1" % key)
    if not 0 < v < 1:
        raise ValueError("%s must be strictly between 0 and 1 (e.g. 0.95)" % key)
    return v


def execute(inputs: dict) -> dict:
    inputs = inputs or {}
    na, ca = get_int(inputs, "visitors_a"), get_int(inputs, "conversions_a")
    nb, cb = get_int(inputs, "visitors_b"), get_int(inputs, "conversions_b")
    conf, power, split = get_prob(inputs, "confidence"), get_prob(inputs, "power"), get_prob(inputs, "expected_split")
    if na == 0 or nb == 0:
        raise ValueError("each variant needs at least one visitor")
    if ca > na or cb > nb:
        raise ValueError("conversions cannot exceed visitors")

    pa, pb = ca / na, cb / nb
    diff = pb - pa
    pooled = (ca + cb) / (na + nb)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    se_unpooled = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
    alpha = 1 - conf
    z_crit = norm_ppf(1 - alpha / 2)
    if se_pooled > 0:
        z = diff / se_pooled
        p_value = 2 * (1 - norm_cdf(abs(z))) if abs(z) < 8 else 2 * norm_cdf(-abs(z))
    else:
        z, p_value = 0.0, 1.0
    ci = [diff - z_crit * se_unpooled, diff + z_crit * se_unpooled]

    # Bayesian view with uniform Beta(1, 1) priors, normal approximation.
    def beta_moments(c, n):
        a, b = c + 1, n - c + 1
        return a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))
    ma, va = beta_moments(ca, na)
    mb, vb = beta_moments(cb, nb)
    prob_b_better = norm_cdf((mb - ma) / math.sqrt(va + vb))

    # Sample size per group to detect the observed difference with the given power.
    z_beta = norm_ppf(power)
    if diff != 0:
        pbar = (pa + pb) / 2
        n_req = ((z_crit * math.sqrt(2 * pbar * (1 - pbar)) +
                  z_beta * math.sqrt(pa * (1 - pa) + pb * (1 - pb))) / diff) ** 2
        n_req = int(math.ceil(n_req))
    else:
        n_req = None

    warnings = []
    # Sample ratio mismatch: chi-square test of the traffic split (1 dof).
    total = na + nb
    exp_a, exp_b = total * split, total * (1 - split)
    chi2 = (na - exp_a) ** 2 / exp_a + (nb - exp_b) ** 2 / exp_b
    srm_p = math.erfc(math.sqrt(chi2 / 2))
    if srm_p < 0.001:
        warnings.append("Sample ratio mismatch: the %d/%d split is very unlikely under the expected %.0f/%.0f "
                        "(p = %.2g). Fix assignment or tracking before trusting any result."
                        % (na, nb, 100 * split, 100 * (1 - split), srm_p))
    if min(ca, na - ca, cb, nb - cb) < 10:
        warnings.append("Fewer than 10 successes or failures in a group: the normal approximation is poor; "
                        "use Fisher's exact test.")
    if n_req is not None and max(na, nb) < n_req:
        warnings.append("The test is underpowered for an effect of this size: about %d visitors per group "
                        "are needed for %.0f%% power." % (n_req, 100 * power))

    significant = p_value < alpha
    lift = diff / pa if pa > 0 else None
    if significant:
        verdict = ("B %s A: %.2f%% vs %.2f%% (difference %+.2f points, %.0f%% CI %+.2f to %+.2f), p = %.3g."
                   % ("beats" if diff > 0 else "is worse than", 100 * pb, 100 * pa, 100 * diff,
                      100 * conf, 100 * ci[0], 100 * ci[1], p_value))
    else:
        verdict = ("No significant difference at %.0f%% confidence: %.2f%% vs %.2f%%, p = %.3g. "
                   "The data are consistent with a difference from %+.2f to %+.2f points."
                   % (100 * conf, 100 * pb, 100 * pa, p_value, 100 * ci[0], 100 * ci[1]))
    r = lambda x, d=6: None if x is None else round(x, d)
    return {
        "rate_a": r(pa),
        "rate_b": r(pb),
        "absolute_difference": r(diff),
        "relative_lift": r(lift),
        "z_score": r(z, 4),
        "p_value": float("%.6g" % p_value),
        "confidence_interval": [r(ci[0]), r(ci[1])],
        "significant": significant,
        "probability_b_better": r(prob_b_better, 4),
        "required_sample_per_group": n_req,
        "warnings": warnings,
        "verdict": verdict,
    }


if __name__ == "__main__":
    print(json.dumps(execute(DEFAULTS), indent=2))
