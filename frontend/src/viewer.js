// Read-only diagrams: a case's own version with the path taken, current tasks and waiting
// timers; a process version with its diff against the previous version.
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css";
import "./markers.css";
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { applyMarkers, describe } from "./common.js";

async function mount(container) {
  const response = await fetch(container.dataset.source, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) { container.textContent = container.dataset.errorText || "Diagram unavailable"; return; }
  const data = await response.json();
  const viewer = new NavigatedViewer({ container });
  await viewer.importXML(data.xml);
  viewer.get("canvas").zoom("fit-viewport");
  applyMarkers(viewer, data.markers || {}, data.overlays || {});
  container.dataset.ready = "true";
  window.jianpingViewers = window.jianpingViewers || [];
  window.jianpingViewers.push(viewer);
  const info = document.getElementById(container.dataset.info || "");
  if (info) {
    const show = (e) => {
      const lines = (data.history || {})[e.element.id];
      if (!lines && e.type !== "element.click") return;
      info.replaceChildren(describe(e.element, lines || []));
    };
    viewer.on("element.hover", show);
    viewer.on("element.click", show);
  }
}

document.querySelectorAll("[data-bpmn-viewer]").forEach((el) => {
  mount(el).catch((err) => { el.textContent = String(err); });
});
