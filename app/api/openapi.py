"""The OpenAPI 3.0 document of /api/v1, written by hand and kept as data.

Served at GET /api/v1/openapi.json; tests/test_api.py checks that every route of
the blueprint is described and that every reference resolves."""
from __future__ import annotations

import copy

VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _resp(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


DATE_TIME = {"type": "string", "format": "date-time", "example": "2026-09-28T02:00:00Z",
             "description": "ISO 8601, UTC (ends in Z)."}
BEARER = [{"bearerAuth": []}]
ANONYMOUS_OR_BEARER = [{}, {"bearerAuth": []}]
NO_AUTH: list = []


def _page_of(item: str, description: str) -> dict:
    return {
        "type": "object", "description": description,
        "required": ["items", "total", "page", "per_page", "pages"],
        "properties": {
            "items": {"type": "array", "items": _ref(item)},
            "total": {"type": "integer", "description": "Number of items over all pages."},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "pages": {"type": "integer", "minimum": 1},
        },
    }


PAGE = {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 1},
        "description": "Page number (from 1; not a number or below 1: page 1; above 1000000: 422)."}
PER_PAGE = {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100,
                                                          "default": 20},
            "description": "Items per page (at most 100; more is taken as 100, not a number as the default)."}
TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "integer"}}
CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["status", "message", "fields"],
            "properties": {
                "status": {"type": "integer", "example": 422},
                "message": {"type": "string", "example": "Please correct the marked fields."},
                "fields": {"type": "object", "description": "Per-field messages; empty when the error is not "
                                                            "about a field.",
                           "additionalProperties": {"type": "array", "items": {"type": "string"}},
                           "example": {"triage_reason": ["A rejection needs a reason."]}},
            },
        }},
    },
    "CaseOperation": {
        "type": "object",
        "properties": {"reason": {"type": "string", "maxLength": 500, "example": "Filed twice by mistake"}},
    },
    "TokenRequest": {
        "type": "object", "required": ["username", "password"],
        "properties": {"username": {"type": "string"}, "password": {"type": "string", "format": "password"}},
    },
    "Token": {
        "type": "object", "required": ["token", "token_type", "expires_at", "user"],
        "properties": {
            "token": {"type": "string", "description": "Send as 'Authorization: Bearer <token>'."},
            "token_type": {"type": "string", "enum": ["Bearer"]},
            "expires_at": DATE_TIME,
            "user": _ref("UserRef"),
        },
    },
    "TokenInfo": {
        "type": "object", "required": ["id", "created_at", "expires_at", "current"],
        "properties": {
            "id": {"type": "integer"}, "created_at": DATE_TIME, "expires_at": DATE_TIME,
            "current": {"type": "boolean", "description": "The token of this request."},
        },
    },
    "TokenList": {
        "type": "object", "required": ["items"],
        "properties": {"items": {"type": "array", "items": _ref("TokenInfo")}},
    },
    "UserRef": {
        "type": "object", "required": ["id", "username", "name", "role"],
        "properties": {
            "id": {"type": "integer"}, "username": {"type": "string"}, "name": {"type": "string"},
            "role": {"type": "string", "enum": ["admin", "handler", "expert", "agency", "enterprise", "certifier"]},
            "organisation_id": _nullable({"type": "integer"}),
        },
    },
    "Person": {
        "type": "object", "required": ["id", "name"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    },
    "Organisation": {
        "type": "object", "required": ["id", "name"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    },
    "ProcessDefinition": {
        "type": "object", "required": ["key", "version", "name", "created_at", "content_hash"],
        "properties": {
            "key": {"type": "string", "example": "complaint", "description": "The BPMN process id."},
            "version": {"type": "integer", "minimum": 1},
            "name": {"type": "string"},
            "created_at": DATE_TIME,
            "content_hash": {"type": "string", "description": "SHA-256 of the BPMN file (hex)."},
            "source": _nullable({"type": "string", "description": "The file it was deployed from."}),
            "comment": _nullable({"type": "string"}),
        },
    },
    "ProcessDefinitionList": {
        "type": "object", "required": ["items"],
        "properties": {"items": {"type": "array", "items": _ref("ProcessDefinition"),
                                 "description": "The latest version of each process."}},
    },
    "ProcessDefinitionVersions": {
        "type": "object", "required": ["key", "name", "versions"],
        "properties": {"key": {"type": "string"}, "name": {"type": "string"},
                       "versions": {"type": "array", "items": _ref("ProcessDefinition"),
                                    "description": "Newest first."}},
    },
    "FieldValue": {
        "description": "A form field's value: a string, number or boolean (a checkbox: true is ticked), "
                       "null (left empty), or a list of those for multiple-choice fields.",
        "nullable": True,
        "oneOf": [
            {"type": "string"}, {"type": "number"}, {"type": "boolean"},
            {"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}},
        ],
    },
    "FieldValues": {
        "type": "object", "additionalProperties": _ref("FieldValue"),
        "description": "Field values by field name, as described by a task's form (GET /tasks/{task_id}). "
                       "Files cannot be sent through the API.",
    },
    "StartCaseRequest": {
        "type": "object", "required": ["process"],
        "properties": {
            "process": {"type": "string", "example": "complaint",
                        "description": "Key of a process that can be started through the API."},
            "data": _ref("FieldValues"),
        },
        "example": {"process": "complaint", "data": {
            "kind": "complaint", "agency_id": 1, "category": "false_disclosure",
            "facts": "The agency lists consultants who never worked for it.",
            "complainant_name": "王先生", "complainant_contact": "13800000000"}},
        "description": "For 'complaint' the data fields are: kind (complaint|report), agency_id (a registered "
                       "agency), category (false_disclosure|service_quality|misconduct|other), facts (10-5000 "
                       "characters), and without a token also complainant_name and complainant_contact.",
    },
    "SummaryRow": {
        "type": "object", "required": ["label", "value"],
        "description": "One row of the case page's summary, worded in the reader's language.",
        "properties": {"label": {"type": "string", "example": "状态"}, "value": _nullable({"type": "string"})},
    },
    "Actor": {
        "type": "object", "required": ["type", "id", "name"],
        "properties": {
            "type": {"type": "string", "enum": ["user", "public", "system"]},
            "id": _nullable({"type": "integer"}),
            "name": _nullable({"type": "string",
                               "description": "A public actor's name (a complainant) is shown to staff and experts only."}),
        },
    },
    "Event": {
        "type": "object", "required": ["id", "at", "kind", "label", "summary", "actor"],
        "properties": {
            "id": {"type": "integer"}, "at": DATE_TIME,
            "kind": {"type": "string", "example": "task.completed"},
            "label": {"type": "string", "description": "The kind in the reader's language."},
            "summary": {"type": "string"},
            "task_id": _nullable({"type": "integer"}),
            "actor": _ref("Actor"),
        },
    },
    "Case": {
        "type": "object",
        "required": ["id", "process", "process_version", "title", "status", "started_at", "updated_at"],
        "properties": {
            "id": {"type": "integer"},
            "process": {"type": "string"}, "process_version": {"type": "integer"},
            "title": {"type": "string"},
            "status": {"type": "string", "enum": ["running", "suspended", "completed", "cancelled"]},
            "subject_org": {"allOf": [_ref("Organisation")], "nullable": True,
                            "description": "The organisation the case is about."},
            "started_at": DATE_TIME, "updated_at": DATE_TIME,
            "completed_at": _nullable(DATE_TIME), "next_timer_at": _nullable(DATE_TIME),
        },
    },
    "CaseDetail": {
        "allOf": [_ref("Case"), {
            "type": "object", "required": ["summary", "open_tasks", "events"],
            "properties": {
                "summary": {"type": "array", "items": _ref("SummaryRow"),
                            "description": "What the case page shows this user."},
                "open_tasks": {"type": "array", "items": _ref("Task")},
                "events": {"type": "array", "items": _ref("Event"), "description": "The audit timeline, oldest first."},
            },
        }],
    },
    "CaseStarted": {
        "description": "The case detail when the filer may open the case; otherwise (an anonymous filer) the "
                       "case without summary, tasks and events. A complaint adds its tracking token.",
        "allOf": [_ref("Case"), {
            "type": "object",
            "properties": {
                "summary": {"type": "array", "items": _ref("SummaryRow")},
                "open_tasks": {"type": "array", "items": _ref("Task")},
                "events": {"type": "array", "items": _ref("Event")},
                "tracking_token": {"type": "string"},
                "tracking_url": {"type": "string", "format": "uri",
                                 "description": "The public page where the filer follows the complaint."},
            },
        }],
    },
    "CaseList": _page_of("Case", "Cases the user may see, newest first."),
    "Task": {
        "type": "object",
        "required": ["id", "case_id", "process", "task", "name", "form_key", "role", "status", "created_at"],
        "properties": {
            "id": {"type": "integer"}, "case_id": {"type": "integer"},
            "case_title": _nullable({"type": "string"}),
            "process": {"type": "string"},
            "task": {"type": "string", "description": "The task's id in the process (BPMN element)."},
            "name": {"type": "string"}, "form_key": {"type": "string"},
            "role": {"type": "string", "description": "The role (BPMN lane) that does the task."},
            "status": {"type": "string", "enum": ["open", "suspended", "completed", "cancelled"]},
            "subject_org": {"allOf": [_ref("Organisation")], "nullable": True},
            "candidate_org_id": _nullable({"type": "integer"}),
            "assignee": {"allOf": [_ref("Person")], "nullable": True},
            "created_at": DATE_TIME, "due_at": _nullable(DATE_TIME),
            "overdue": {"type": "boolean"},
            "completed_at": _nullable(DATE_TIME),
            "can_work": {"type": "boolean", "description": "Whether this user may complete the task now "
                                                           "(not in lists)."},
        },
    },
    "TaskList": _page_of("Task", "The user's inbox: open tasks offered to or claimed by the user."),
    "FormField": {
        "type": "object", "required": ["name", "type", "label", "required"],
        "properties": {
            "name": {"type": "string"},
            "type": {"type": "string", "enum": ["string", "text", "boolean", "integer", "number", "date",
                                                "date-time", "array", "file", "files"]},
            "label": {"type": "string"}, "required": {"type": "boolean"},
            "description": {"type": "string"},
            "choices": {"type": "array", "items": {
                "type": "object", "required": ["value", "label"],
                "properties": {"value": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                               "label": {"type": "string"}}}},
        },
    },
    "Form": {
        "type": "object", "required": ["key", "title", "fields", "values"],
        "properties": {
            "key": {"type": "string", "example": "complaint.triage"},
            "title": {"type": "string"},
            "fields": {"type": "array", "items": _ref("FormField")},
            "values": {"type": "object", "additionalProperties": True,
                       "description": "Prefilled values (e.g. the text to publish)."},
        },
    },
    "TaskDetail": {
        "allOf": [_ref("Task"), {
            "type": "object", "required": ["form"],
            "properties": {"form": {"allOf": [_ref("Form")], "nullable": True}},
        }],
    },
    "Decision": {
        "type": "object", "description": "A published decision. Never names the complainant.",
        "required": ["id", "agency", "category", "result", "measure", "summary", "published_at"],
        "properties": {
            "id": {"type": "integer"},
            "agency": _ref("Organisation"),
            "category": {"type": "string"}, "category_label": {"type": "string"},
            "result": _nullable({"type": "string", "enum": ["upheld", "partly_upheld", "rejected"]}),
            "result_label": {"type": "string"},
            "measure": _nullable({"type": "string"}), "measure_label": {"type": "string"},
            "summary": _nullable({"type": "string", "description": "The published text."}),
            "published_at": DATE_TIME,
        },
    },
    "DecisionList": _page_of("Decision", "Published decisions, newest first."),
}


def _error(description: str, example_status: int, example_message: str, fields: dict | None = None) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": _ref("Error"),
        "example": {"error": {"status": example_status, "message": example_message, "fields": fields or {}}}}}}


RESPONSES = {
    "BadRequest": _error("The body is not a JSON object (malformed JSON, or another type), is nested too "
                         "deeply, or the request contains a NUL character.", 400,
                         "the request body must be a JSON object"),
    "TooLarge": _error("The body is larger than the server accepts (MAX_CONTENT_LENGTH).", 413,
                       "The upload is too large."),
    "InvalidPage": _error("A paging parameter is out of range.", 422, "Please correct the marked fields.",
                          {"page": ["page must be a whole number from 1 to 1000000"]}),
    "Unauthorized": _error("No token, or the token is invalid or expired.", 401,
                           "authentication required: send 'Authorization: Bearer <token>'"),
    "Forbidden": _error("The user may not do this.", 403, "you may not complete this task"),
    "NotFound": _error("No such resource, or the user may not see it.", 404, "task not found"),
    "Conflict": _error("The resource changed: the task was completed or claimed by someone else.", 409,
                       "this task has already been completed"),
    "TooManyAttempts": _error("Too many failed attempts for this account or from this address; see "
                              "Retry-After (seconds).", 429,
                              "Too many failed login attempts. Please wait 15 minutes and try again."),
    "Invalid": _error("The submission did not validate; nothing was stored.", 422,
                      "Please correct the marked fields.", {"triage_reason": ["A rejection needs a reason."]}),
}

TASK_FILTERS = [
    {"name": "scope", "in": "query", "schema": {"type": "string", "enum": ["all", "mine", "group"], "default": "all"},
     "description": "all: claimed by me or open to me; mine: claimed by me; group: not claimed yet."},
    {"name": "process", "in": "query", "schema": {"type": "string"}, "description": "Process key."},
    {"name": "task", "in": "query", "schema": {"type": "string"}, "description": "Task id in the process."},
    {"name": "subject", "in": "query", "schema": {"type": "integer"},
     "description": "Id of the organisation the case is about."},
    {"name": "agency", "in": "query", "schema": {"type": "integer"}, "deprecated": True,
     "description": "Former name of `subject`."},
    {"name": "overdue", "in": "query", "schema": {"type": "string", "enum": ["1", "true", "y", "on"]},
     "description": "Only tasks past their due time."},
    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["due", "-due", "created", "-created"],
                                               "default": "due"}},
    PAGE, PER_PAGE,
]


def _op(op_id: str, summary: str, responses: dict, *, tags: list[str], security=BEARER, parameters=None,
        body: dict | None = None, description: str | None = None) -> dict:
    # Any parameter or body may carry a NUL character (400); any body may be too large (413);
    # a page number may be out of range (422).
    if parameters or body:
        responses.setdefault("400", _resp("BadRequest"))
    if body:
        responses.setdefault("413", _resp("TooLarge"))
    if parameters and any(p is PAGE for p in parameters):
        responses.setdefault("422", _resp("InvalidPage"))
    op = {"operationId": op_id, "summary": summary, "tags": tags, "security": security,
          "responses": dict(sorted(responses.items()))}
    if description:
        op["description"] = description
    if parameters:
        op["parameters"] = parameters
    if body:
        op["requestBody"] = body
    return op


def _body(schema: dict, description: str) -> dict:
    return {"required": True, "description": description, "content": {"application/json": {"schema": schema}}}


PATHS = {
    "/tokens": {
        "post": _op(
            "createToken", "Log in: exchange a username and password for a bearer token", {
                "201": _json(_ref("Token"), "A new token."),
                "400": _resp("BadRequest"), "401": _resp("Unauthorized"), "422": _resp("Invalid"),
                "429": _resp("TooManyAttempts"),
            }, tags=["auth"], security=NO_AUTH, body=_body(_ref("TokenRequest"), "The user's credentials."),
            description="Failed attempts are limited per account and per client address (shared with the "
                        "login page); past the limit every attempt is a 429 with Retry-After until the window ends."),
        "get": _op(
            "listTokens", "The caller's own unexpired tokens", {
                "200": _json(_ref("TokenList"), "The tokens, newest first."),
                "401": _resp("Unauthorized"),
            }, tags=["auth"]),
    },
    "/tokens/{token_id}": {"delete": _op(
        "revokeToken", "Revoke one of the caller's own tokens", {
            "204": {"description": "The token was revoked."},
            "401": _resp("Unauthorized"), "404": _resp("NotFound"),
        }, tags=["auth"], parameters=[{"name": "token_id", "in": "path", "required": True,
                                       "schema": {"type": "integer"}}],
        description="Changing the password (on the account page) revokes all of a user's tokens.")},
    "/process-definitions": {"get": _op(
        "listProcessDefinitions", "The latest version of every deployed process (staff only)", {
            "200": _json(_ref("ProcessDefinitionList"), "Process definitions."),
            "401": _resp("Unauthorized"), "403": _resp("Forbidden"),
        }, tags=["processes"])},
    "/process-definitions/{key}": {"get": _op(
        "getProcessDefinitionVersions", "Every version of one process (staff only)", {
            "200": _json(_ref("ProcessDefinitionVersions"), "The versions, newest first."),
            "401": _resp("Unauthorized"), "403": _resp("Forbidden"), "404": _resp("NotFound"),
        }, tags=["processes"],
        parameters=[{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}])},
    "/cases": {
        "post": _op(
            "startCase", "Start a case, e.g. file a complaint", {
                "201": {**_json(_ref("CaseStarted"), "The case was started."),
                        "headers": {"Location": {"schema": {"type": "string"}, "description": "The case's URL."}}},
                "400": _resp("BadRequest"), "401": _resp("Unauthorized"), "403": _resp("Forbidden"),
                "404": _resp("NotFound"), "422": _resp("Invalid"),
            }, tags=["cases"], security=ANONYMOUS_OR_BEARER,
            description="Without a token the public may file a complaint (giving a name and contact); with "
                        "a token, an enterprise user files in their own name. Other roles get 403.",
            body=_body(_ref("StartCaseRequest"), "The process and the filing form's values.")),
        "get": _op(
            "listCases", "Cases the user may see (staff: all)", {
                "200": _json(_ref("CaseList"), "A page of cases."), "401": _resp("Unauthorized"),
            }, tags=["cases"], parameters=[
                {"name": "process", "in": "query", "schema": {"type": "string"}},
                {"name": "status", "in": "query", "schema": {"type": "string",
                                                             "enum": ["running", "completed", "error"]}},
                PAGE, PER_PAGE]),
    },
    "/cases/{case_id}": {"get": _op(
        "getCase", "A case with its summary, open tasks and timeline", {
            "200": _json(_ref("CaseDetail"), "The case."),
            "401": _resp("Unauthorized"), "404": _resp("NotFound"),
        }, tags=["cases"], parameters=[CASE_ID])},
    "/cases/{case_id}/cancel": {"post": _op(
        "cancelCase", "Cancel a running or suspended case (administrators): its open tasks are withdrawn, its timers stop", {
            "200": _json(_ref("CaseDetail"), "The case as it now stands."),
            "400": _resp("BadRequest"), "401": _resp("Unauthorized"), "403": _resp("Forbidden"),
            "404": _resp("NotFound"), "409": _resp("Conflict"), "422": _resp("Invalid"),
        }, tags=["cases"], parameters=[CASE_ID],
        body=_body(_ref("CaseOperation"), "Why (required)."))},
    "/cases/{case_id}/suspend": {"post": _op(
        "suspendCase", "Suspend a running case (administrators): its tasks leave the inbox, its timers wait", {
            "200": _json(_ref("CaseDetail"), "The case as it now stands."),
            "400": _resp("BadRequest"), "401": _resp("Unauthorized"), "403": _resp("Forbidden"),
            "404": _resp("NotFound"), "409": _resp("Conflict"), "422": _resp("Invalid"),
        }, tags=["cases"], parameters=[CASE_ID],
        body=_body(_ref("CaseOperation"), "Why (required)."))},
    "/cases/{case_id}/resume": {"post": _op(
        "resumeCase", "Resume a suspended case (administrators); timers that fell due fire at the next sweep", {
            "200": _json(_ref("CaseDetail"), "The case as it now stands."),
            "400": _resp("BadRequest"), "401": _resp("Unauthorized"), "403": _resp("Forbidden"),
            "404": _resp("NotFound"), "409": _resp("Conflict"), "422": _resp("Invalid"),
        }, tags=["cases"], parameters=[CASE_ID],
        body=_body(_ref("CaseOperation"), "Why (optional)."))},
    "/tasks": {"get": _op(
        "listTasks", "The inbox: open tasks the user may work on", {
            "200": _json(_ref("TaskList"), "A page of tasks."), "401": _resp("Unauthorized"),
        }, tags=["tasks"], parameters=TASK_FILTERS)},
    "/tasks/{task_id}": {"get": _op(
        "getTask", "A task with its form's field schema", {
            "200": _json(_ref("TaskDetail"), "The task."),
            "401": _resp("Unauthorized"), "404": _resp("NotFound"),
        }, tags=["tasks"], parameters=[TASK_ID])},
    "/tasks/{task_id}/claim": {"post": _op(
        "claimTask", "Claim a task so that only this user works on it", {
            "200": _json(_ref("Task"), "The claimed task."),
            "401": _resp("Unauthorized"), "403": _resp("Forbidden"), "404": _resp("NotFound"),
            "409": _resp("Conflict"),
        }, tags=["tasks"], parameters=[TASK_ID])},
    "/tasks/{task_id}/release": {"post": _op(
        "releaseTask", "Give a claimed task back to its group (the assignee or an administrator)", {
            "200": _json(_ref("Task"), "The released task."),
            "401": _resp("Unauthorized"), "403": _resp("Forbidden"), "404": _resp("NotFound"),
            "409": _resp("Conflict"),
        }, tags=["tasks"], parameters=[TASK_ID])},
    "/tasks/{task_id}/complete": {"post": _op(
        "completeTask", "Complete a task with its form's values", {
            "200": _json(_ref("CaseDetail"), "The task is done; the case as it now stands."),
            "400": _resp("BadRequest"), "401": _resp("Unauthorized"), "403": _resp("Forbidden"),
            "404": _resp("NotFound"), "409": _resp("Conflict"), "422": _resp("Invalid"),
        }, tags=["tasks"], parameters=[TASK_ID],
        body=_body(_ref("FieldValues"), "The form's values by field name (see the task's form)."))},
    "/decisions": {"get": _op(
        "listDecisions", "Published decisions (public)", {
            "200": _json(_ref("DecisionList"), "A page of published decisions."),
        }, tags=["public"], security=NO_AUTH, parameters=[PAGE, PER_PAGE])},
    "/agencies": {"get": _op(
        "listAgencies", "Registered agencies (public)", {
            "200": _json({"type": "object", "properties": {"items": {"type": "array", "items": {
                "type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}}}},
                "The registered agencies."),
        }, tags=["public"], security=NO_AUTH)},
    "/agencies/{org_id}": {"get": _op(
        "getAgency", "An agency's public profile: current disclosure, team, projects, grade (public)", {
            "200": _json({"type": "object", "description": "Never contains business secrets such as contract "
                          "amounts; see app/agencies/rules.py NON_PUBLIC_FIELDS."}, "The public profile."),
            "404": _resp("NotFound"),
        }, tags=["public"], security=NO_AUTH,
        parameters=[{"name": "org_id", "in": "path", "required": True, "schema": {"type": "integer"}}])},
    "/rating/notices": {"get": _op(
        "listRatingNotices", "Rating results under public notice (public)", {
            "200": _json({"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}}},
                         "Results under notice, with the end of each notice."),
        }, tags=["public"], security=NO_AUTH)},
    "/rating/recommended": {"get": _op(
        "getRecommendationList", "Rated agencies by grade A-D (public)", {
            "200": _json({"type": "object", "additionalProperties": {"type": "array", "items": {"type": "object"}}},
                         "Agencies by grade."),
        }, tags=["public"], security=NO_AUTH)},
    "/openapi.json": {"get": _op(
        "getOpenApi", "This document", {
            "200": {"description": "The OpenAPI document.",
                    "content": {"application/json": {"schema": {"type": "object"}}}},
        }, tags=["public"], security=NO_AUTH)},
}

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {
        "title": "Jianping API",
        "version": VERSION,
        "description": "Case management for the supervision of consulting agencies: complaints, tasks and "
                       "published decisions. Log in with POST /tokens and send the token as "
                       "'Authorization: Bearer <token>'. Errors are JSON objects with a message and per-field "
                       "messages. Times are UTC in ISO 8601. Permissions are those of the web pages.",
    },
    "servers": [{"url": "/api/v1"}],
    "tags": [{"name": n} for n in ("auth", "processes", "cases", "tasks", "public")],
    "security": BEARER,
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                           "description": "A token from POST /tokens."}},
        "schemas": SCHEMAS,
        "responses": RESPONSES,
    },
}


def document(server_url: str | None = None) -> dict:
    doc = copy.deepcopy(DOCUMENT)
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc
