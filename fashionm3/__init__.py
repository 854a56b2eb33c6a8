"""FashionM3: a multimodal, multitask, multiround fashion assistant."""

__version__ = "0.1.0"
