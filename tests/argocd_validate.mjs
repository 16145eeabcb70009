// Validate Argo CD manifests against Argo CD's CRD schemas (npm @kubernetes-models/argo-cd).
// usage: node tests/argocd_validate.mjs <.tools/argo-cd> < [{"name": ..., "doc": {...}}, ...]
// prints [{"name": ..., "error": null | "message"}, ...]
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const models = join(process.argv[2], "node_modules", "@kubernetes-models", "argo-cd", "argoproj.io", "v1alpha1");
const KINDS = ["Application", "AppProject", "ApplicationSet"];
const classes = {};
for (const kind of KINDS) {
  classes[kind] = (await import(pathToFileURL(join(models, `${kind}.js`)).href))[kind];
}
const results = JSON.parse(readFileSync(0, "utf8")).map(({ name, doc }) => {
  const Model = classes[doc?.kind];
  if (doc?.apiVersion !== "argoproj.io/v1alpha1" || !Model) {
    return { name, error: `no Argo CD schema for ${doc?.apiVersion} ${doc?.kind}` };
  }
  try {
    new Model(doc).validate();
    return { name, error: null };
  } catch (err) {
    return { name, error: String(err.message ?? err) };
  }
});
process.stdout.write(JSON.stringify(results));
