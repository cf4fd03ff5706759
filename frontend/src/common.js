// Shared by the designer and the viewers.

export function applyMarkers(viewer, markers, overlays) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const overlayService = viewer.get("overlays");
  Object.entries(markers).forEach(([id, classes]) => {
    if (!registry.get(id)) return;
    (Array.isArray(classes) ? classes : [classes]).forEach((cls) => canvas.addMarker(id, cls));
  });
  Object.entries(overlays).forEach(([id, overlay]) => {
    if (!registry.get(id)) return;
    const html = document.createElement("div");
    html.className = "jp-overlay " + (overlay.kind || "");
    html.textContent = overlay.text;
    html.title = overlay.title || overlay.text;
    overlayService.add(id, "jp", { position: { top: -12, right: 12 }, html });
  });
}

export function describe(element, lines) {
  const box = document.createElement("div");
  const title = document.createElement("strong");
  const bo = element.businessObject || {};
  title.textContent = (bo.name || element.id) + " (" + element.id + ")";
  box.appendChild(title);
  const list = document.createElement("ul");
  lines.forEach((line) => { const li = document.createElement("li"); li.textContent = line; list.appendChild(li); });
  box.appendChild(list);
  return box;
}
