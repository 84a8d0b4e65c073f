"""The linked-data routes of `kg serve`: entity pages (/id/...), the ontology and the VoID
description, by content negotiation or a forced suffix; the pages themselves are made by
pages.py and void.py (shared with the static site of `kg publish`)."""

from __future__ import annotations

from urllib.parse import unquote

from .conneg import negotiate
from .sparql import ProtocolError

HTML = "text/html"
#: Linked-data syntaxes by URL suffix (forced format) and the other way round.
SUFFIXES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".html": HTML,
}
SUFFIX_OF = {media: suffix for suffix, media in SUFFIXES.items()}
#: RDF syntaxes offered for entities, the ontology and VoID when the modules do not say.
DEFAULT_RDF_TYPES = ["text/turtle", "application/n-triples", "application/ld+json"]


class LinkedDataRoutes:
    """The Handler's routes for entities, the ontology and VoID (a mixin of handler.Handler:
    it uses its `server`, `_accept()` and `_send()`)."""

    def _module(self, name: str):
        try:
            if name == "pages":
                from . import pages as module
            else:
                from . import void as module
        except ImportError as exc:
            raise ProtocolError(501, f"this installation cannot serve that yet "
                                     f"(kg_builder.publish.{name}: {exc})") from exc
        return module

    def _offers(self, module) -> list[str]:
        """The module's media types in its order of preference (its OFFERS: the first is
        what a client without an Accept header gets), so the server and the static site
        agree; else HTML and the usual RDF syntaxes."""
        offers = getattr(module, "OFFERS", None)
        return [str(t) for t in offers] if offers else [HTML, *DEFAULT_RDF_TYPES]

    def _choose(self, offers: list[str], forced: str | None, what: str) -> str:
        if forced is not None:
            if forced not in offers:
                raise ProtocolError(404, f"{what} is not published as {forced}")
            return forced
        media = negotiate(self._accept(), offers)
        if media is None:
            raise ProtocolError(406, f"{what} is offered as {', '.join(offers)}, none of "
                                     f"which the Accept header ({self._accept()}) takes")
        return media

    def _linked(self, response, stem: str, forced: str | None) -> None:
        status, headers, body = response
        headers = dict(headers)
        if forced is None:
            names = {k.lower() for k in headers}
            if "vary" not in names:
                headers["Vary"] = "Accept"
            ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
            suffix = SUFFIX_OF.get(ctype.split(";")[0].strip())
            if suffix and "content-location" not in names:
                headers["Content-Location"] = stem + suffix
        self._send(status, headers, body)

    def _entity(self, split) -> None:
        pages = self._module("pages")
        stem, suffix = _split_suffix(split.path)
        forced = SUFFIXES.get(suffix) if suffix else None
        if forced is None:
            stem = split.path
        media = self._choose(self._offers(pages), forced, "an entity")
        base = self.server.base_iri
        candidates = [base + stem[1:]]
        if "%" in stem:
            candidates.append(base + unquote(stem[1:]))
        response = None
        with self.server.pages_guard():
            for iri in candidates:
                response = pages.entity_response(self.server.store, iri, media,
                                                 self.server.settings)
                if response is not None:
                    break
        if response is None:
            raise ProtocolError(404, f"no entity <{candidates[0]}> in the graph")
        self._linked(response, stem, forced)

    def _ontology(self, split) -> None:
        pages = self._module("pages")
        stem, suffix = _split_suffix(split.path)
        forced = SUFFIXES.get(suffix) if stem in self.server.ontology_paths else None
        if forced is None:
            stem = split.path
        media = self._choose(self._offers(pages), forced, "the ontology")
        with self.server.pages_guard():
            response = pages.ontology_response(self.server.settings, media)
        self._linked(response, stem, forced)

    def _void(self, split) -> None:
        void = self._module("void")
        media = self._choose(self._offers(void), None, "the dataset description")
        with self.server.pages_guard():
            response = void.void_response(
                self.server.store, self.server.settings, media, self._base_url()
            )
        status, headers, body = response
        headers = dict(headers)
        if not any(k.lower() == "vary" for k in headers):
            headers["Vary"] = "Accept"
        self._send(status, headers, body)


def _split_suffix(path: str) -> tuple[str, str | None]:
    for suffix in SUFFIXES:
        if path.endswith(suffix) and len(path) > len(suffix) + 1:
            return path[: -len(suffix)], suffix
    return path, None
