"""The demo business: a synthetic shop drawn from known processes, with its ground truth."""

from retain.demo.generator import DemoBusiness, generate_business, write_business

__all__ = ["DemoBusiness", "generate_business", "write_business"]
