"""llmx: turn news text into validated, grounded event records with an LLM."""

__version__ = "0.1.0"
