"""Identity resolution over the entity registry: one entity per real-world thing.

Curated facts name entities by id; this index finds entities by any of their names
(label or alias, folded for case, accents and typography) so that a name used where an id
belongs gets a precise suggestion, and so that names shared by two entities are flagged for a
curator's decision (two different people may share a first name; then neither may be referred
to by it alone).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from .errors import Problem
from .model import EntityRecord
from .ontology import KG, Ontology


def name_key(name: str) -> str:
    """Fold case, accents, typographic quotes and spacing: 'Andreï  Amonov' -> 'andrei amonov'."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(text.casefold().split())


class EntityIndex:
    def __init__(self, entities: dict[str, EntityRecord], ontology: Ontology):
        self.entities = entities
        self.onto = ontology
        self.by_name: dict[str, set[str]] = defaultdict(set)
        for rec in entities.values():
            for name in [rec.label, *rec.aliases]:
                self.by_name[name_key(name)].add(rec.id)

    def lookup(self, name: str) -> list[EntityRecord]:
        """Entities one of whose names is `name` (folded), most specific first."""
        return [self.entities[i] for i in sorted(self.by_name.get(name_key(name), ()))]

    def suggestion(self, ref: str) -> str:
        """A hint for a reference that is not an id: the id(s) of entities with that name."""
        matches = self.lookup(ref)
        if len(matches) == 1:
            return f" ('{ref}' is a name of '{matches[0].id}': refer to entities by id)"
        if matches:
            ids = ", ".join(m.id for m in matches)
            return f" ('{ref}' names several entities: {ids}; refer to one by its id)"
        return ""

    def shared_names(self) -> list[Problem]:
        """Warnings for names that two entities of the same top class share."""
        problems = []
        for key, ids in sorted(self.by_name.items()):
            if len(ids) < 2:
                continue
            by_top: dict = defaultdict(list)
            for i in sorted(ids):
                by_top[self.onto.top_class(KG[self.entities[i].type])].append(i)
            for members in by_top.values():
                if len(members) > 1:
                    first = self.entities[members[0]]
                    problems.append(
                        Problem(
                            first.origin.file,
                            first.origin.line,
                            f"entities {', '.join(members)} share the name '{key}': check that they "
                            "are different (else merge them) and give each a distinguishing label",
                            "warning",
                            "resolution",
                        )
                    )
        return problems
