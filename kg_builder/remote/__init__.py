"""Remote SPARQL 1.1 stores: `--store sparql+http://…` (see endpoints, store, build, dialect)."""

from .endpoints import Endpoints, StoreURL, discover, is_remote

__all__ = ["Endpoints", "StoreURL", "discover", "is_remote"]
