"""Built-in event types.

Each type lives in its own module and is registered through the ``llmx.schemas``
entry-point group in ``pyproject.toml``: exactly the mechanism a third-party
package uses, so built-ins get no special treatment.
"""

from llmx.schemas.base import Event, Person

__all__ = ["Event", "Person"]
