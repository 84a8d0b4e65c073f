"""The HTML query page of `kg serve`: one self-contained page (inline CSS and JavaScript, no
CDN: it must work offline and on a locked-down host) with a query box, the catalogue of
queries/*.rq as examples, and a results table drawn from the endpoint's SPARQL JSON.

Everything from the data or the catalogue is escaped: HTML text with html.escape, the
catalogue handed to the script as JSON in a <script type="application/json"> block with `<`,
`>` and `&` written as \\u escapes (no `</script>` can end it early), and the script writes
results with textContent, never innerHTML.
"""

from __future__ import annotations

import html
import json

DEFAULT_QUERY = """SELECT ?class (COUNT(?entity) AS ?entities) WHERE {
  ?entity a ?class .
  ?class rdfs:subClassOf* kg:Entity .
}
GROUP BY ?class
ORDER BY DESC(?entities)
"""

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222}
header{background:#1d3557;color:#fff;padding:.7em 1.2em}
header a{color:#cfe3ff;margin-right:1em}
main{display:flex;gap:1.5em;padding:1em 1.2em;align-items:flex-start}
#editor{flex:3;min-width:0}
aside{flex:1;min-width:16em;max-height:85vh;overflow:auto;border-left:1px solid #ddd;
padding-left:1em}
textarea{width:100%;box-sizing:border-box;font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;
min-height:14em;padding:.5em}
button{font:inherit;cursor:pointer}
#run{padding:.35em 1.4em;margin:.4em 0;background:#1d3557;color:#fff;border:0;border-radius:3px}
#status{margin-left:1em;color:#555}
#status.error{color:#b00020}
table{border-collapse:collapse;margin-top:.6em;font-size:13px}
th,td{border:1px solid #ddd;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#f3f5f8}
pre{background:#f7f7f7;padding:.6em;overflow:auto;white-space:pre-wrap}
.meta{color:#777;font-size:11px}
aside ul{list-style:none;padding:0;margin:0}
aside li{margin:.5em 0}
aside button{background:none;border:0;color:#1d4ed8;padding:0;text-align:left;font-weight:600}
aside .q{display:block;color:#444;font-size:13px}
aside .p{display:block;color:#777;font-size:12px}
"""

_JS = r"""
(function(){
const cat = JSON.parse(document.getElementById('catalogue').textContent);
const prefixes = JSON.parse(document.getElementById('prefixes').textContent);
const body = document.body, base = body.dataset.base, endpoint = body.dataset.endpoint;
const box = document.getElementById('query'), status = document.getElementById('status');
const out = document.getElementById('results');
function local(iri){ return iri.startsWith(base) ? '/' + iri.slice(base.length) : iri; }
function short(iri){
  let best = null;
  for (const [p, ns] of Object.entries(prefixes)) {
    if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [p, ns];
  }
  return best ? best[0] + ':' + iri.slice(best[1].length) : iri;
}
function cell(b){
  const td = document.createElement('td');
  if (!b) return td;
  if (b.type === 'uri') {
    const a = document.createElement('a');
    a.href = local(b.value); a.textContent = short(b.value); a.title = b.value;
    td.appendChild(a);
  } else if (b.type === 'bnode') {
    td.textContent = '_:' + b.value;
  } else {
    td.appendChild(document.createTextNode(b.value));
    const tag = b['xml:lang'] ? '@' + b['xml:lang'] : (b.datatype ? short(b.datatype) : '');
    if (tag) {
      const s = document.createElement('span'); s.className = 'meta';
      s.textContent = ' ' + tag; td.appendChild(s);
    }
  }
  return td;
}
function table(data){
  const t = document.createElement('table'), head = document.createElement('tr');
  for (const v of data.head.vars) {
    const th = document.createElement('th'); th.textContent = v; head.appendChild(th);
  }
  t.appendChild(head);
  for (const row of data.results.bindings) {
    const tr = document.createElement('tr');
    for (const v of data.head.vars) tr.appendChild(cell(row[v]));
    t.appendChild(tr);
  }
  return t;
}
function say(text, error){ status.textContent = text; status.className = error ? 'error' : ''; }
async function run(ev){
  if (ev) ev.preventDefault();
  say('running\u2026'); out.textContent = '';
  const started = performance.now();
  let resp, text;
  try {
    resp = await fetch(endpoint, {method: 'POST', body: new URLSearchParams({query: box.value}),
      headers: {'Accept': 'application/sparql-results+json, text/turtle;q=0.9'}});
    text = await resp.text();
  } catch (e) { say('the server did not answer: ' + e, true); return; }
  const ms = Math.round(performance.now() - started);
  if (!resp.ok) {
    say(resp.status + ' ' + resp.statusText, true);
    const pre = document.createElement('pre'); pre.textContent = text; out.appendChild(pre);
    return;
  }
  const cut = resp.headers.get('X-Result-Truncated') === 'true' ? ' (truncated)' : '';
  const type = resp.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    const data = JSON.parse(text);
    if ('boolean' in data) { say('ASK: ' + data.boolean + ' \u00b7 ' + ms + ' ms'); return; }
    say(data.results.bindings.length + ' rows' + cut + ' \u00b7 ' + ms + ' ms');
    out.appendChild(table(data));
  } else {
    say('graph' + cut + ' \u00b7 ' + ms + ' ms');
    const pre = document.createElement('pre'); pre.textContent = text; out.appendChild(pre);
  }
}
document.getElementById('form').addEventListener('submit', run);
const given = new URLSearchParams(location.search).get('query');
if (given) { box.value = given; run(); }  // a shared link: /?query=... runs at once
box.addEventListener('keydown', function(ev){
  if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) run(ev);
});
for (const btn of document.querySelectorAll('aside button[data-name]')) {
  btn.addEventListener('click', function(){
    const q = cat[btn.dataset.name];
    if (q) { box.value = q.text; say(q.question); out.textContent = ''; box.focus(); }
  });
}
})();
"""


def _json_for_script(value) -> str:
    """JSON that is safe inside a <script> element whatever the strings hold."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render(
    catalogue,
    base_iri: str,
    prefixes: dict[str, str],
    endpoint: str = "/sparql",
    void_url: str = "/.well-known/void",
    ontology_url: str = "/ontology",
    query: str = DEFAULT_QUERY,
) -> bytes:
    """The page as UTF-8 bytes. `catalogue` is an iterable of catalogue queries (name,
    question, text, parameters); checks (names under checks/) are left out."""
    esc = html.escape
    entries = [q for q in catalogue if not q.name.startswith("checks/")]
    items = []
    for q in entries:
        params = ", ".join(f"?{p}" for p in q.parameters)
        note = (
            f'<span class="p">parameters (unbound here): {esc(params)}</span>' if params else ""
        )
        items.append(
            f'<li><button type="button" data-name="{esc(q.name)}">{esc(q.name)}</button>'
            f'<span class="q">{esc(q.question)}</span>{note}</li>'
        )
    data = {q.name: {"question": q.question, "text": q.text} for q in entries}
    prefix_list = " ".join(f"{p}:" for p in sorted(prefixes))
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kg-builder SPARQL endpoint</title>
<style>{_CSS}</style>
</head>
<body data-base="{esc(base_iri)}" data-endpoint="{esc(endpoint)}">
<header><strong>kg-builder</strong> SPARQL endpoint &nbsp;
<a href="{esc(void_url)}">dataset description (VoID)</a>
<a href="{esc(ontology_url)}">ontology</a>
<a href="{esc(endpoint)}?format=turtle" type="text/turtle">service description</a></header>
<main>
<section id="editor">
<form id="form" method="get" action="{esc(endpoint)}">
<textarea id="query" name="query" spellcheck="false"
 aria-label="SPARQL query">{esc(query)}</textarea>
<div><button id="run" type="submit">Run</button><span id="status" role="status"></span></div>
</form>
<p class="meta">Predeclared prefixes (no PREFIX line needed): {esc(prefix_list)}.
Ctrl+Enter runs the query. Read-only: updates and SERVICE are refused.</p>
<div id="results"></div>
</section>
<aside>
<h2>Example queries ({len(entries)})</h2>
<ul id="catalogue-list">
{chr(10).join(items)}
</ul>
</aside>
</main>
<script type="application/json" id="catalogue">{_json_for_script(data)}</script>
<script type="application/json" id="prefixes">{_json_for_script(prefixes)}</script>
<script>{_JS}</script>
</body>
</html>
"""
    return page.encode("utf-8")
