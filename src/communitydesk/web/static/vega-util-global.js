// vega-interpreter imports three helpers from the `vega-util` package; the vega bundle (loaded first as a
// classic script) already exports them on `window.vega`. The page's import map points `vega-util` here.
const { ascending, isString, DisallowedObjectProperties } = globalThis.vega;
export { ascending, isString, DisallowedObjectProperties };
