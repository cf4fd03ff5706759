// The process designer: bpmn-js modeler, this engine's properties form, validation markers,
// save draft, deploy, download.
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css";
import "./markers.css";
import Modeler from "bpmn-js/lib/Modeler";
import spiffDescriptor from "./spiffworkflow.json";
import zhTranslate from "./translate-zh.js";
import { applyMarkers } from "./common.js";

const root = document.getElementById("designer");
const cfg = JSON.parse(document.getElementById("designer-config").textContent);
const L = (key) => (cfg.labels && cfg.labels[key]) || key;
const csrf = document.querySelector("meta[name=csrf-token]").content;

const modules = cfg.lang && cfg.lang.startsWith("zh") ? [{ translate: ["value", zhTranslate] }] : [];
const modeler = new Modeler({
  container: root.querySelector(".jp-canvas"),
  moddleExtensions: { spiffworkflow: spiffDescriptor },
  additionalModules: modules,
  keyboard: { bindTo: document },
});
window.jianpingModeler = modeler;

const modeling = modeler.get("modeling");
const moddle = modeler.get("moddle");
const canvas = modeler.get("canvas");
const registry = modeler.get("elementRegistry");
const selection = modeler.get("selection");
const overlays = modeler.get("overlays");

const TASK_PROPS = ["formKey", "candidateOrg", "candidateUsers", "assignee", "dueIn", "dueDate"];
const status = root.querySelector("[data-status]");
const problemList = root.querySelector(".jp-problems");
const propsBox = root.querySelector(".jp-props");
let problemIds = [];

function setStatus(text, kind) {
  status.textContent = text;
  status.className = "flash " + (kind || "info");
  status.hidden = !text;
}

// --- spiffworkflow:properties ------------------------------------------------------------

function spiffProperties(bo) {
  const ext = bo.extensionElements;
  const props = ext && (ext.values || []).find((v) => v.$instanceOf("spiffworkflow:Properties"));
  const out = {};
  ((props && props.properties) || []).forEach((p) => { out[p.name] = p.value; });
  return out;
}

function setSpiffProperty(element, name, value) {
  const bo = element.businessObject;
  const current = spiffProperties(bo);
  if (value) current[name] = value; else delete current[name];
  const others = ((bo.extensionElements && bo.extensionElements.values) || [])
    .filter((v) => !v.$instanceOf("spiffworkflow:Properties"));
  const values = [...others];
  const names = Object.keys(current);
  if (names.length) {
    const props = moddle.create("spiffworkflow:Properties", {
      properties: names.map((n) => moddle.create("spiffworkflow:Property", { name: n, value: current[n] })),
    });
    values.push(props);
  }
  const ext = values.length ? moddle.create("bpmn:ExtensionElements", { values }) : undefined;
  values.forEach((v) => { v.$parent = ext; });
  modeling.updateProperties(element, { extensionElements: ext });
}

// --- the properties form ------------------------------------------------------------------

function field(label, control) {
  const wrap = document.createElement("label");
  wrap.textContent = label;
  wrap.appendChild(control);
  return wrap;
}

function input(name, value, onChange, opts = {}) {
  const el = document.createElement(opts.multiline ? "textarea" : "input");
  el.name = name;
  el.value = value || "";
  if (opts.placeholder) el.placeholder = opts.placeholder;
  if (opts.readOnly) el.readOnly = true;
  el.addEventListener("change", () => onChange(el.value.trim()));
  return el;
}

function select(name, value, options, onChange) {
  const el = document.createElement("select");
  el.name = name;
  const blank = document.createElement("option");
  blank.value = ""; blank.textContent = "—";
  el.appendChild(blank);
  let found = !value;
  options.forEach(([val, text]) => {
    const o = document.createElement("option");
    o.value = val; o.textContent = text;
    if (val === value) { o.selected = true; found = true; }
    el.appendChild(o);
  });
  if (!found) {  // keep an unknown value visible (validation reports it)
    const o = document.createElement("option");
    o.value = value; o.textContent = value + " (?)"; o.selected = true;
    el.appendChild(o);
  }
  el.addEventListener("change", () => onChange(el.value));
  return el;
}

function timerDefinition(bo) {
  return (bo.eventDefinitions || []).find((d) => d.$instanceOf("bpmn:TimerEventDefinition"));
}

function renderProps(element) {
  propsBox.replaceChildren();
  const heading = document.createElement("h3");
  propsBox.appendChild(heading);
  if (!element) { heading.textContent = L("Select an element to edit its properties."); return; }
  const bo = element.businessObject;
  const type = bo.$type.replace("bpmn:", "");
  heading.textContent = ((cfg.types && cfg.types[type]) || type) + " · " + element.id;
  propsBox.dataset.element = element.id;

  if (element.type === "bpmn:Lane") {
    propsBox.appendChild(field(L("Role (lane name)"), select("lane_role", bo.name || "", cfg.roles,
      (v) => modeling.updateProperties(element, { name: v || undefined }))));
    return;
  }
  if (element.type !== "bpmn:Process" && element.type !== "bpmn:Collaboration" && element.type !== "label") {
    propsBox.appendChild(field(L("Name"), input("name", bo.name, (v) => modeling.updateProperties(element, { name: v || undefined }))));
  }
  if (bo.$instanceOf("bpmn:UserTask")) {
    const props = spiffProperties(bo);
    propsBox.appendChild(field(L("Form"), select("formKey", props.formKey || "", cfg.forms,
      (v) => setSpiffProperty(element, "formKey", v))));
    // The lane is where the task is drawn: choosing one moves the task into it.
    const lanes = registry.filter((e) => e.type === "bpmn:Lane");
    const current = lanes.find((l) => (l.businessObject.flowNodeRef || []).includes(bo));
    propsBox.appendChild(field(L("Lane (role)"), select("lane", current ? current.id : "",
      lanes.map((l) => [l.id, (l.businessObject.name || "?") + " · " + l.id]), (laneId) => {
        const lane = registry.get(laneId);
        if (!lane) return;
        const dy = lane.y + lane.height / 2 - (element.y + element.height / 2);
        modeling.moveElements([element], { x: 0, y: dy });
      })));
    if (!lanes.length) {
      const hint = document.createElement("p");
      hint.className = "muted";
      hint.textContent = L("none — put the task in a lane");
      propsBox.appendChild(hint);
    }
    propsBox.appendChild(field(L("Due in (e.g. 10 working days)"), input("dueIn", props.dueIn, (v) => setSpiffProperty(element, "dueIn", v), { placeholder: "10 working days" })));
    propsBox.appendChild(field(L("Due date (expression)"), input("dueDate", props.dueDate, (v) => setSpiffProperty(element, "dueDate", v))));
    propsBox.appendChild(field(L("Candidate organisation (expression)"), input("candidateOrg", props.candidateOrg, (v) => setSpiffProperty(element, "candidateOrg", v), { placeholder: "agency_id" })));
    propsBox.appendChild(field(L("Candidate users (expression)"), input("candidateUsers", props.candidateUsers, (v) => setSpiffProperty(element, "candidateUsers", v))));
    propsBox.appendChild(field(L("Assignee (expression)"), input("assignee", props.assignee, (v) => setSpiffProperty(element, "assignee", v))));
  }
  if (bo.$instanceOf("bpmn:ScriptTask")) {
    propsBox.appendChild(field(L("Script (Python)"), input("script", bo.script, (v) => modeling.updateProperties(element, { scriptFormat: "python", script: v || undefined }), { multiline: true })));
  }
  if (bo.$instanceOf("bpmn:SequenceFlow")) {
    const source = bo.sourceRef;
    if (source && source.$instanceOf("bpmn:Gateway")) {
      const cond = bo.conditionExpression ? bo.conditionExpression.body : "";
      propsBox.appendChild(field(L("Condition (expression)"), input("condition", cond, (v) => {
        modeling.updateProperties(element, { conditionExpression: v ? moddle.create("bpmn:FormalExpression", { body: v }) : undefined });
      }, { multiline: true, placeholder: 'decision == "accept"' })));
      const box = document.createElement("input");
      box.type = "checkbox"; box.name = "default_flow"; box.checked = source.default === bo;
      box.addEventListener("change", () => {
        const gateway = registry.get(source.id);
        modeling.updateProperties(gateway, { default: box.checked ? bo : undefined });
      });
      propsBox.appendChild(field(L("Default flow of the gateway"), box));
    }
  }
  const timer = timerDefinition(bo);
  if (timer) {
    const kind = timer.timeDate ? "timeDate" : timer.timeCycle ? "timeCycle" : "timeDuration";
    const value = (timer[kind] && timer[kind].body) || "";
    let currentKind = kind;
    const kindSelect = select("timer_kind", kind, [["timeDuration", L("Duration (e.g. 10 working days, 3 days)")], ["timeDate", L("Date (expression → ISO date-time)")], ["timeCycle", L("Cycle")]], (v) => { currentKind = v || "timeDuration"; apply(valueInput.value.trim()); });
    const valueInput = input("timer_value", value, (v) => apply(v), { placeholder: "10 working days" });
    function apply(v) {
      const props = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
      if (v) props[currentKind] = moddle.create("bpmn:FormalExpression", { body: v });
      modeling.updateModdleProperties(element, timer, props);
    }
    propsBox.appendChild(field(L("Timer"), kindSelect));
    propsBox.appendChild(field(L("Timer value"), valueInput));
  }
}

modeler.on("selection.changed", (e) => renderProps(e.newSelection.length === 1 ? e.newSelection[0] : null));
modeler.on("element.changed", (e) => {
  if (propsBox.dataset.element === e.element.id && !propsBox.contains(document.activeElement)) renderProps(e.element);
});

// --- problems on the diagram --------------------------------------------------------------

function clearProblems() {
  problemIds.forEach((id) => { if (registry.get(id)) canvas.removeMarker(id, "jp-problem"); });
  overlays.remove({ type: "jp" });
  problemIds = [];
  problemList.replaceChildren();
}

function showProblems(problems) {
  clearProblems();
  const counts = {};
  problems.forEach((p) => {
    const li = document.createElement("li");
    li.textContent = (p.element_id ? p.element_id + ": " : "") + p.message;
    if (p.element_id) {
      li.dataset.element = p.element_id;
      li.addEventListener("click", () => {
        const el = registry.get(p.element_id);
        if (el) { selection.select(el); canvas.scrollToElement(el); }
      });
      counts[p.element_id] = (counts[p.element_id] || 0) + 1;
    }
    problemList.appendChild(li);
  });
  const markers = {}, ov = {};
  Object.entries(counts).forEach(([id, n]) => {
    markers[id] = ["jp-problem"];
    ov[id] = { text: String(n), title: problems.filter((p) => p.element_id === id).map((p) => p.message).join("\n") };
  });
  problemIds = Object.keys(counts);
  applyMarkers(modeler, markers, ov);
  root.dataset.problems = String(problems.length);
}

// --- server calls -------------------------------------------------------------------------

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
    body: JSON.stringify(body),
  });
  let data = {};
  try { data = await response.json(); } catch (e) { data = { error: response.statusText }; }
  return { status: response.status, data };
}

async function currentXml() {
  const { xml } = await modeler.saveXML({ format: true });
  return xml;
}

async function validate() {
  const { data } = await post(cfg.validateUrl, { xml: await currentXml() });
  showProblems(data.problems || []);
  setStatus(data.problems && data.problems.length ? L("The diagram has problems; see the list.") : L("No problems found."),
    data.problems && data.problems.length ? "error" : "success");
  return data.problems || [];
}

async function save() {
  const { status: code, data } = await post(cfg.saveUrl, { xml: await currentXml() });
  if (code === 200) setStatus(L("Draft saved."), "success");
  else setStatus(data.error || L("Could not save the draft."), "error");
}

async function deploy() {
  const comment = root.querySelector("input[name=comment]").value.trim();
  const { status: code, data } = await post(cfg.deployUrl, { xml: await currentXml(), comment });
  if (code === 200 || code === 201) {
    clearProblems();
    setStatus(data.message, "success");
    if (data.url) { const a = document.createElement("a"); a.href = data.url; a.textContent = " " + L("Open the version"); a.id = "deployed-link"; status.appendChild(a); }
  } else {
    showProblems(data.problems || []);
    setStatus(data.error || L("The diagram has problems; see the list."), "error");
  }
}

async function download() {
  const xml = await currentXml();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
  a.download = cfg.downloadName || "diagram.bpmn";
  document.body.appendChild(a); a.click(); a.remove();
}

// bpmn-moddle drops references it cannot resolve (e.g. SpiffWorkflow's
// <loopDataInputRef>panel</loopDataInputRef> names a task data variable, not an element):
// put a placeholder with the same id back so the export keeps them.
function keepUnresolvedReferences(warnings) {
  return warnings.filter((w) => {
    if (!w.element || !w.property || typeof w.value !== "string") return true;
    const desc = w.element.$descriptor && w.element.$descriptor.propertiesByName[w.property];
    if (!desc || !desc.isReference) return true;
    const placeholder = { id: w.value, $type: "bpmn:BaseElement" };
    if (desc.isMany) {
      const list = w.element.get(desc.name);
      if (!list.some((x) => x && x.id === w.value)) list.push(placeholder);
    } else if (!w.element.get(desc.name)) {
      w.element.set(desc.name, placeholder);
    }
    return false;
  });
}

// Open a diagram; returns the import warnings that could not be repaired.
async function open(xml) {
  const { warnings } = await modeler.importXML(xml);
  return keepUnresolvedReferences(warnings || []);
}
window.jianpingDesigner = { open, exportXml: currentXml };

root.querySelector("[data-action=validate]").addEventListener("click", () => validate());
root.querySelector("[data-action=save]").addEventListener("click", () => save());
root.querySelector("[data-action=deploy]").addEventListener("click", () => deploy());
root.querySelector("[data-action=download]").addEventListener("click", () => download());

(async () => {
  const response = await fetch(cfg.xmlUrl, { credentials: "same-origin" });
  const xml = await response.text();
  const warnings = await open(xml);
  if (warnings.length) setStatus(L("Opened with warnings:") + " " + warnings.map((w) => w.message).join("; "), "info");
  canvas.zoom("fit-viewport");
  renderProps(null);
  root.dataset.ready = "true";
})().catch((err) => { setStatus(String(err), "error"); });
