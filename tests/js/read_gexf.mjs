// Reads a GEXF file with graphology-gexf (the parser sigma.js uses) into a graphology
// MultiGraph, so parallel edges survive, and prints what it read as JSON on stdout.
//
//   node read_gexf.mjs FILE            counts, graph attributes, the first three nodes
//   node read_gexf.mjs FILE --all      also every node's and every edge's attributes
import { readFileSync } from "node:fs";
import graphology from "graphology";
import gexf from "graphology-gexf";

const [path, flag] = process.argv.slice(2);
if (!path) {
  console.error("usage: node read_gexf.mjs FILE [--all]");
  process.exit(2);
}

const graph = gexf.parse(graphology.MultiGraph, readFileSync(path, "utf8"));

const nodes = {};
graph.forEachNode((key, attributes) => {
  nodes[key] = attributes;
});

const report = {
  type: graph.type,
  multi: graph.multi,
  nodes: graph.order,
  edges: graph.size,
  graph: graph.getAttributes(),
  sample: Object.fromEntries(Object.entries(nodes).slice(0, 3)),
};

if (flag === "--all") {
  report.nodeAttributes = nodes;
  report.edgeList = graph.mapEdges((key, attributes, source, target) => ({
    key,
    source,
    target,
    attributes,
  }));
}

process.stdout.write(JSON.stringify(report));
