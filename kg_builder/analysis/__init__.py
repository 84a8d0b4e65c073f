"""Network analysis: the graph as NetworkX projections, and what researchers compute on them.

>>> from kg_builder import pipeline
>>> from kg_builder.analysis import Filter, project, metrics
>>> store = pipeline.open_graph(pipeline.make_settings(store="memory"))  # doctest: +SKIP
>>> G = project(store, Filter(method="curated"))                          # doctest: +SKIP
>>> metrics.centrality(G, top=10)                                          # doctest: +SKIP
"""

from .derived import PROJECTIONS, derive
from .projection import Filter, NetworkError, project

__all__ = ["PROJECTIONS", "Filter", "NetworkError", "derive", "project"]
