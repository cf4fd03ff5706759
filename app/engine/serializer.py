"""Workflow state without the process spec.

SpiffWorkflow's default serializer embeds the whole spec in every saved state; the
spec is cached per definition version instead and put back on load.
"""
from __future__ import annotations

import json
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from .scripting import SCRIPT_ENGINE


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        if spec is None:
            raise ValueError("a spec-less state needs its spec from the definition cache")
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = SpeclessWorkflowConverter
_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config))


def link_spec(spec) -> None:
    """Re-establish the links SpiffWorkflow makes between task specs at run time.

    A loop or multi-instance task (standard loop, sequential or parallel instances) connects
    its child spec's ``completed_event`` to its own ``merge_child`` the first time it creates
    children. A spec parsed afresh in another process (or after a restart) has no such
    link, so the last instance would complete without the parent ever noticing: the case
    stays running with nothing to do. SpiffWorkflow's own spec deserializer makes these
    links; state kept without its spec must make them itself. Idempotent."""
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, LoopTask):
            child = spec.task_specs.get(task_spec.task_spec)
            if child is not None and not child.completed_event.is_connected(task_spec.merge_child):
                child.completed_event.connect(task_spec.merge_child)


def link_specs(spec, subprocess_specs) -> None:
    """:func:`link_spec` for a process and every sub-process / call-activity spec."""
    link_spec(spec)
    for sub in (subprocess_specs or {}).values():
        link_spec(sub)


def dumps(workflow: BpmnWorkflow) -> str:
    return _serializer.serialize_json(workflow)


def loads(state: str, spec, subprocess_specs) -> BpmnWorkflow:
    dct = json.loads(state)
    _serializer.migrate(dct)
    link_specs(spec, subprocess_specs)
    workflow = _serializer.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
    workflow.script_engine = SCRIPT_ENGINE  # not serialized: re-attach after every load
    return workflow


def new_workflow(spec, subprocess_specs) -> BpmnWorkflow:
    return BpmnWorkflow(spec, subprocess_specs, script_engine=SCRIPT_ENGINE)
