"""Log every prompt and response (JSONL), like ``llm logs``: what was asked, what came back, what it cost.

Only request bodies' messages and the model's text are written, never headers,
so keys cannot leak into the log.
"""

from __future__ import annotations

import json
import time
from typing import Any

from llmx.core.paths import log_path


class CallLog:
    """instructor hooks that write one line per attempt."""

    def __init__(self, article_id: str | None = None):
        self.article_id = article_id
        self.request: dict[str, Any] = {}

    def on_kwargs(self, *args: Any, **kwargs: Any) -> None:
        self.request = kwargs

    def on_response(self, response: Any) -> None:
        path = log_path()
        if path is None:
            return
        choice = response.choices[0] if getattr(response, "choices", None) else None
        usage = getattr(response, "usage", None)
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "article": self.article_id,
            "model": self.request.get("model"),
            "messages": self.request.get("messages"),
            "response": getattr(choice.message, "content", None) if choice else None,
            "tool_calls": [c.function.arguments for c in (choice.message.tool_calls or [])] if choice and getattr(choice.message, "tool_calls", None) else None,
            "finish_reason": getattr(choice, "finish_reason", None),
            "usage": usage.model_dump() if hasattr(usage, "model_dump") else None,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
