// Builds the front end into frontend/dist: compiles the Sass with GOV.UK Frontend
// and copies its JavaScript. Nothing is fetched from elsewhere at run time.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const govuk = join(here, "..", "node_modules", "govuk-frontend", "dist", "govuk");
mkdirSync(dist, { recursive: true });

const result = sass.compile(join(here, "src", "app.scss"), {
  importers: [new sass.NodePackageImporter()],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(dist, "app.css"), result.css);

copyFileSync(join(govuk, "govuk-frontend.min.js"), join(dist, "govuk-frontend.min.js"));
// The SCORM runtime (issue 17): scorm-again's browser build, from npm, for the wrapper
// page on the content origin (learners/scorm_content.py).
// Its source map too: the script names it, and collectstatic's manifest storage (production,
// the benchmark) refuses a file that refers to one that is missing.
for (const name of ["scorm-again.min.js", "scorm-again.min.js.map"]) {
  copyFileSync(join(here, "..", "node_modules", "scorm-again", "dist", name), join(dist, name));
}
for (const name of ["init.mjs", "js-enabled.js", "progress.mjs", "favicon.svg",
                    "scorm-wrapper.js", "scorm-wrapper.css", "scorm-launch.mjs"]) {
  copyFileSync(join(here, "src", name), join(dist, name));
}
console.log(`front end built in ${dist}`);
