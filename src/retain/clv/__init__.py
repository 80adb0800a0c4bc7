"""Customer value and churn: buy-till-you-die models, P(alive) and CLV.

Models (fitted by maximum likelihood on the per-customer summary):
``BetaGeo`` (BG/NBD), ``ModifiedBetaGeo`` (MBG/NBD), ``ParetoNBD``,
``BetaGeoBetaBinom`` (BG/BB, discrete opportunities) and ``GammaGamma`` (spend).
"""

from retain.clv.beta_geo import BetaGeo, ModifiedBetaGeo
from retain.clv.bg_bb import BetaGeoBetaBinom
from retain.clv.gamma_gamma import GammaGamma
from retain.clv.pareto_nbd import ParetoNBD
from retain.clv.value import customer_lifetime_value

__all__ = [
    "BetaGeo",
    "BetaGeoBetaBinom",
    "GammaGamma",
    "ModifiedBetaGeo",
    "ParetoNBD",
    "customer_lifetime_value",
]
