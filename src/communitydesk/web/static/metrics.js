// Draws the /metrics page's charts from the Vega-Lite specs embedded in the page, with no eval: Vega's
// expression interpreter replaces its code generator, so the page's CSP needs no 'unsafe-eval'.
import { expressionInterpreter } from "./vega-interpreter.js";

const specs = JSON.parse(document.getElementById("chart-specs").textContent);
const options = {
  renderer: "canvas",
  actions: false,
  ast: true,
  expr: expressionInterpreter,
  defaultStyle: false,
  tooltip: false,
};

for (const element of document.querySelectorAll("[data-chart]")) {
  const spec = specs[element.dataset.chart];
  if (!spec) continue;
  vegaEmbed(element, spec, options)
    .then(() => element.setAttribute("data-rendered", "true"))
    .catch((error) => {
      element.textContent = `This chart could not be drawn: ${error.message}`;
      element.setAttribute("data-rendered", "error");
    });
}
