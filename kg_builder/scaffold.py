"""`kg init`: a new project folder with its kg.toml, empty curated files (each with a commented
example of its records), an articles folder, a queries folder and a .gitignore.

Nothing that exists is overwritten: a folder that already holds a kg.toml is refused, and any
other file the template would write that is already there is kept and reported.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError
from .project import DEFAULT_BASE_IRI, FILENAME, _slug, check_base_iri, load_project

KG_TOML = '''\
# kg-builder project "{name}". Every path is relative to this file; options and environment
# variables (KG_STORE, KG_CORPUS, KG_BASE_IRI) override it. `kg config` shows the settings
# in force and where each came from.

[project]
name = "{name}"                       # lower-case letters, digits, '.', '_' or '-'
title = "{title}"
description = ""
base_iri = "{base_iri}"     # the graph's own IRIs: <base_iri>id/person/<id>, ...
language = "en"

[paths]
articles = "articles"                 # article texts and their sources.yaml (kg add fills it)
curated = "data/curated"              # facts and entities you write and review
extracted = "data/extracted"          # facts proposed by kg extract, for kg review
store = ".kg/store"                   # the Oxigraph database kg build fills
exports = "exports"                   # kg build and kg export write here
queries = "queries"                   # your own questions, added to the built-in catalogue
site = "site"                         # kg publish writes the static site here

[ontology]
# Your own classes and properties (Turtle): subclasses and subproperties of kg-builder's.
extensions = []

[publish]
# What the VoID/DCAT description and the published pages say about the dataset.
license = "https://creativecommons.org/licenses/by/4.0/"
publisher = "{title}"
keywords = ["knowledge graph", "news"]
'''

SOURCES = '''\
# The sources facts are taken from. An article added with `kg add` is described in
# articles/sources.yaml; list it here with its publisher (an organisation id of
# entities/*.yaml) once you cite it in facts/. Articles that only extraction cites are
# taken from articles/sources.yaml automatically.
sources: []
# Example:
#  - id: 2024-03-02-border-crossing-closes-1a2b3c4d   # the id kg add gave the article
#    kind: article
#    publisher: example-news-agency
#    headline: "Border crossing closes overnight"
#    published: "2024-03-02"
#    language: en
#  - id: gazetteer            # background knowledge that is not from an article
#    kind: reference
#    title: Place names and coordinates
'''

ENTITIES = '''\
# People, organisations, places and events: one list per file (any name ending in .yaml;
# places may also go in a CSV). Every type is a class of the ontology (`kg config` names the
# ontology files; see data/README.md of kg-builder for every field).
entities: []
# Examples:
#  - id: example-news-agency            # a slug: becomes the IRI, keep it stable
#    type: MediaOrganisation
#    label: Example News Agency
#    aliases: [ENA]
#  - id: jane-doe
#    type: Person
#    label: Jane Doe
#    description: Volunteer who drove people to the border.
#    wikidata: Q42                      # only when certain
#  - id: border-closure-2024
#    type: Event
#    label: Closure of the border crossing
#    date: "2024-03-02"                 # or `date: unknown` when the sources give none
'''

FACTS = '''\
# Facts are written one file per source: facts/<source id>.yaml, as below (`kg review accept`
# writes them for you from extracted candidates). This file is an example: copy it under the
# source's id and remove the comments.
#
# source: "2024-03-02-border-crossing-closes-1a2b3c4d"
# facts:
#   - subject: jane-doe                  # an entity id
#     relation: memberOf                 # an ontology property
#     object: example-volunteer-network  # an entity id (or `value:` for a literal)
#     evidence: "Jane Doe, who volunteers for the network, drove them to the border."
#     date: "2024-03-01"
#     confidence: 0.9
'''

ARTICLES_SOURCES = '''\
# Metadata of the articles in this folder, one entry per article. `kg add` writes an entry
# for every article it adds (headline, outlet, author, date, URL, content hash): check it
# (review: unchecked) and correct what the page got wrong.
'''

QUERY = '''\
# Question: Which articles does each person appear in?
# Column: person: the person, by label
# Column: articles: how many articles mention them
# Column: sources: the ids of those articles
# A project query: it adds to the built-in catalogue (`kg query list` shows which is which);
# a file with the name of a built-in query replaces it for this project.
PREFIX kg: <https://w3id.org/kg-builder/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>

SELECT ?person (COUNT(DISTINCT ?article) AS ?articles)
       (GROUP_CONCAT(DISTINCT ?source_id; separator=" ") AS ?sources)
WHERE {{
  ?p a/rdfs:subClassOf* kg:Person ; rdfs:label ?person .
  ?article schema:mentions ?p .
  BIND(REPLACE(STR(?article), "^.*/", "") AS ?source_id)
}}
GROUP BY ?person
ORDER BY DESC(?articles) ?person
'''

GITIGNORE = """\
# Built and derived: rebuilt by kg build, kg export and kg publish
.kg/
exports/
site/
"""

README = """\
# {title}

A knowledge graph project of [kg-builder](https://pypi.org/project/kg-builder/).

```sh
kg add ARTICLE.html https://example.org/news/story   # bring articles into articles/
kg extract                                           # propose facts from their text
kg review list                                       # accept or reject them
kg build                                             # validate and build the graph
kg query list                                        # the questions you can ask it
```

- `kg.toml`: the project's settings (`kg config` prints them).
- `articles/`: the article texts, their originals and `sources.yaml`.
- `data/curated/`: the facts and entities you write and review.
- `queries/`: your own SPARQL questions (one `.rq` file each, `# Question:` header).
"""


@dataclass
class InitReport:
    root: Path
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "project": str(self.root),
            "written": [str(p) for p in self.written],
            "kept": [str(p) for p in self.kept],
        }


def init_project(
    folder: str | Path,
    *,
    title: str | None = None,
    base_iri: str | None = None,
    name: str | None = None,
) -> InitReport:
    """Create a project in `folder` (made if missing). ConfigError if it already is one."""
    root = Path(folder).expanduser().resolve()
    if (root / FILENAME).exists():
        raise ConfigError(
            f"{root / FILENAME} exists: {root} is a project already; nothing was changed"
        )
    if root.exists() and not root.is_dir():
        raise ConfigError(f"{root} exists and is not a folder")
    name = name or _slug(root.name)
    if not re.match(r"^[a-z0-9][a-z0-9._-]*$", name):
        raise ConfigError(f"project name {name!r}: use lower-case letters, digits, '.', '_', '-'")
    base = check_base_iri(base_iri or DEFAULT_BASE_IRI.rstrip("/") + f"/{name}/", "--base-iri")
    title = title or name.replace("-", " ").capitalize()
    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    files = {
        FILENAME: KG_TOML.format(name=name, title=quoted, base_iri=base),
        ".gitignore": GITIGNORE,
        "README.md": README.format(title=title),
        "articles/sources.yaml": ARTICLES_SOURCES,
        "data/curated/sources.yaml": SOURCES,
        "data/curated/entities/entities.yaml": ENTITIES,
        "data/curated/facts/EXAMPLE.yaml.txt": FACTS,
        "queries/people-and-articles.rq": QUERY.format(),
    }
    report = InitReport(root)
    for folder_name in ("articles/originals", "data/curated/facts", "data/extracted", "queries"):
        (root / folder_name).mkdir(parents=True, exist_ok=True)
    # kg.toml last: a project exists only once everything it names is in place
    for rel, text in sorted(files.items(), key=lambda kv: kv[0] == FILENAME):
        path = root / rel
        if path.exists():
            report.kept.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        report.written.append(path)
    load_project(root / FILENAME)  # what we wrote must load
    return report
