// Validates xAPI 1.0.3 statements with Learning Locker's conformance-tested validator
// (npm @learninglocker/xapi-validation). Reads a JSON array of statements on stdin and
// prints a JSON array with, for each, the problems found ([] when it is valid).
const path = require("path");
const validate = require(path.join(__dirname, "..", "..", "node_modules",
  "@learninglocker", "xapi-validation")).default;

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const problems = JSON.parse(input).map((statement) => validate(statement).map(
    (warning) => ({ path: warning.path.join("."), type: warning.typeName || warning.name,
                    data: warning.data })));
  process.stdout.write(JSON.stringify(problems));
});
