"""Re-identification risk: the measures, quasi-identifier proposal, generalisation to a target, and the
runner's risk meter and gate. See each module's docstring."""

from ringfence.risk.measures import RiskResult, SensitiveRisk, measure

__all__ = ["RiskResult", "SensitiveRisk", "measure"]
