"""The event store: result documents in SQLite (sqlite-utils, Datasette-ready), cross-article merging, exports."""

from llmx.store.db import Store, StoreError, open_store

__all__ = ["Store", "StoreError", "open_store"]
