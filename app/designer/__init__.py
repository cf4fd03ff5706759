"""The process designer (流程设计器): administrators edit, validate, version, diff, roll back
and deploy BPMN diagrams in the browser, and migrate running cases between versions."""
