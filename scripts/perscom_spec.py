#!/usr/bin/env python3
"""Generate openapi/perscom.yaml from the resource table openapi/perscom/resources.yaml.

    python3 scripts/perscom_spec.py            # (re)write openapi/perscom.yaml
    python3 scripts/perscom_spec.py --check    # exit 1 if the committed file is stale
    python3 scripts/perscom_spec.py --stdout   # print instead of writing
    python3 scripts/perscom_spec.py --routes ../shared/apis/perscom-routes.md
                                               # compare method+path pairs with the route list
    python3 scripts/perscom_spec.py --prism-spec /tmp/perscom-prism.yaml
                                               # the derived document CI's Prism mock serves

The output is a faithful OpenAPI 3.0.3 description of the PERSCOM API (what the server does,
see ../shared/apis/perscom.md). Generator workarounds do NOT belong here: they live in the
build script's adaptation step. Output is deterministic (stable ordering, no YAML aliases).

Needs python3 and PyYAML.
"""
import argparse
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(ROOT, "openapi", "perscom", "resources.yaml")
OUT = os.path.join(ROOT, "openapi", "perscom.yaml")

# Every scope the server defines (A config/api.php `scopes`, ApiPermissionService::scopes):
# view/create/update/delete on each resource, plus the extras and the OpenID scopes.
SCOPE_RESOURCES = [
    "announcement", "assignmentrecord", "attachment", "award", "awardrecord", "calendar", "category",
    "combatrecord", "comment", "competency", "credential", "document", "event", "field", "form", "group",
    "image", "issuer", "message", "newsfeed", "position", "qualification", "qualificationrecord", "rank",
    "rankrecord", "servicerecord", "slot", "specialty", "status", "statusrecord", "submission", "task",
    "trainingrecord", "unit", "user",
]
SCOPE_EXTRAS = [("clear:cache", "ClearCache", "Clear the API and CDN cache (`POST /cache`)."),
                ("view:settings", "ViewSettings", "Read the organisation's settings (`GET /settings`)."),
                ("openid", "OpenId", "OpenID Connect: the `sub` claim (`/oauth/userinfo`)."),
                ("profile", "Profile", "OpenID Connect: profile claims."),
                ("email", "Email", "OpenID Connect: email claims.")]
ABILITIES = [("view", "View", "Read"), ("create", "Create", "Create"), ("update", "Update", "Update"),
             ("delete", "Delete", "Delete")]

ERRORS = {
    "400": "BadRequest",
    "401": "Unauthorized",
    "402": "PaymentRequired",
    "403": "Forbidden",
    "404": "NotFound",
    "422": "UnprocessableEntity",
    "429": "TooManyRequests",
    "500": "ServerError",
    "503": "ServiceUnavailable",
}
HTML_DESC = "Supports HTML."


def ref(kind, name):
    return {"$ref": "#/components/%s/%s" % (kind, name)}


def sref(name):
    return ref("schemas", name)


def an(word):
    w = word.replace("_", " ")
    return ("an " if w[:1] in "aeiou" else "a ") + w


def camel(s):
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[_\-]", s) if p)


def include_items(includes):
    """The schema of one `include` value: the whitelist as an enum, or as a pattern when it has
    wildcards (`author(.*)`: author and any relation under it, `author.x...`; `a.b.*`: under a.b)."""
    if not includes:
        return {"type": "string"}
    if not any("*" in inc for inc in includes):
        return {"type": "string", "enum": list(includes)}
    alts = []
    for inc in includes:
        if inc.endswith("(.*)"):
            alts.append(re.escape(inc[:-4]) + r"(\..+)?")
        elif inc.endswith(".*"):
            alts.append(re.escape(inc[:-2]) + r"\..+")
        elif "*" in inc:
            raise SystemExit("include %r: only a trailing (.*) or .* wildcard is understood" % inc)
        else:
            alts.append(re.escape(inc))
    return {"type": "string", "pattern": "^(%s)$" % "|".join(alts)}


class Spec:
    def __init__(self, table):
        self.t = table
        self.enums = table["enums"]
        self.models = table["models"]
        self.schemas = {}
        self.parameters = {}
        self.paths = {}
        self.op_ids = set()
        self.tags = set()

    # ------------------------------------------------------------------ schemas
    def parse_field(self, spec):
        desc = None
        if isinstance(spec, dict):
            desc = spec.get("description")
            spec = spec["type"]
        parts = spec.split()
        typ, flags = parts[0], set(parts[1:])
        required = nullable = False
        while typ and typ[-1] in "!?":
            if typ[-1] == "!":
                required = True
            else:
                nullable = True
            typ = typ[:-1]
        return typ, required, nullable, flags, desc

    def type_schema(self, typ, nullable, request, desc=None):
        s = None
        if typ.startswith("["):
            s = {"type": "array", "items": self.type_schema(typ[1:-1], False, request)}
        elif typ in self.enums or typ in self.models:
            if nullable or desc:
                s = {"allOf": [sref(typ)]}
            else:
                return sref(typ)
        elif typ == "string" or typ == "url":
            s = {"type": "string"}
        elif typ == "html":
            s = {"type": "string"}
            desc = desc or HTML_DESC
        elif typ == "int":
            s = {"type": "integer", "format": "int64"}
        elif typ == "bool":
            s = {"type": "boolean"}
        elif typ == "datetime":
            s = {"type": "string", "format": "date-time"}
        elif typ == "email":
            s = {"type": "string", "format": "email"}
        elif typ == "color":
            if request:
                if nullable or desc:
                    s = {"allOf": [sref("HexColor")]}
                else:
                    return sref("HexColor")
            else:
                s = {"type": "string"}
                desc = desc or "Hex colour including the leading #, e.g. #1f2937."
        elif typ == "any":
            s = {}
            desc = desc or "Any JSON value."
        elif typ == "object":
            s = {"type": "object", "additionalProperties": True}
        else:
            raise SystemExit("unknown field type %r" % typ)
        if desc:
            s["description"] = desc
        if nullable:
            s["nullable"] = True
        return s

    def model_schemas(self):
        pivot_of = self.pivot_models()
        for name in sorted(self.models):
            m = self.models[name]
            props = {"id": {"type": "integer", "format": "int64"}}
            required = ["id"]
            for fname, fspec in m["fields"].items():
                typ, req, nullable, flags, desc = self.parse_field(fspec)
                if "wo" in flags:
                    continue
                props[fname] = self.type_schema(typ, nullable, False, desc)
                if req and not nullable:
                    required.append(fname)
            if not m.get("readonly"):
                props["label"] = {"type": "string", "description": "Computed display label."}
            props["created_at"] = {"type": "string", "format": "date-time", "nullable": True}
            props["updated_at"] = {"type": "string", "format": "date-time", "nullable": True}
            for rname, rtyp in (m.get("relations") or {}).items():
                desc = "Included with ?include=%s." % rname
                if rtyp.startswith("["):
                    s = {"type": "array", "items": self.rel_item(rtyp[1:-1]), "description": desc}
                elif rtyp == "any":
                    s = {"description": desc + " Polymorphic: any JSON value."}
                else:
                    s = {"allOf": [sref(rtyp)], "nullable": True, "description": desc}
                props[rname] = s
            if name in pivot_of:
                props["pivot"] = {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "Pivot columns, present when listed through a many-to-many relation (%s)."
                    % ", ".join(sorted(pivot_of[name])),
                }
            schema = {
                "type": "object",
                "description": "%s (scope resource `%s`). Responses may carry extra keys (appended attributes, included relations)."
                % (name, m["scope"]),
                "required": required,
                "properties": props,
            }
            if m.get("open"):
                schema["additionalProperties"] = True
                schema["description"] += " " + m["open"]["description"]
            self.schemas[name] = schema
            if not m.get("readonly"):
                self.request_schemas(name, m)
            self.envelopes(name, m)

    def rel_item(self, typ):
        if typ == "any":
            return {}
        return sref(typ)

    def pivot_models(self):
        out = {}
        for r in self.t["relations"]:
            if r["kind"] == "belongsToMany":
                out.setdefault(r["model"], set()).add("%s/%s" % (r["parent"], r["segment"]))
        out.setdefault("User", set()).add("newsfeed/likes")
        return out

    def request_props(self, m, drop=(), for_update=False):
        props, required = {}, []
        for fname, fspec in m["fields"].items():
            typ, req, nullable, flags, desc = self.parse_field(fspec)
            if "ro" in flags or "wo" in flags and fname in ("file", "image") or fname in drop:
                continue
            props[fname] = self.type_schema(typ, nullable, True, desc)
            if req and not for_update:
                required.append(fname)
        return props, required

    def request_schemas(self, name, m):
        # JSON create body (absent for models whose create needs a file: Image, Attachment).
        json_create = not any(f in ("file", "image") for f in m.get("files", []))
        ts = {"created_at": {"type": "string", "format": "date-time"},
              "updated_at": {"type": "string", "format": "date-time"}}
        if json_create:
            props, required = self.request_props(m)
            props.update(ts)
            s = {"type": "object", "description": "Create body for %s (fields outside the validator's rules are ignored)." % name,
                 "properties": props}
            if required:
                s["required"] = required
            if m.get("open"):
                s["additionalProperties"] = True
                s["description"] += " " + m["open"]["description"]
            self.schemas[name + "Create"] = s
            self.schemas[name + "BatchCreate"] = {
                "type": "object", "required": ["resources"],
                "properties": {"resources": {"type": "array", "items": sref(name + "Create")}},
            }
            nest = [f for f, spec in m["fields"].items() if "nest" in self.parse_field(spec)[3]]
            nested_use = {r["model"] for r in self.t["relations"] if r.get("nested_fk")}
            if nest and name in nested_use:
                props, required = self.request_props(m)
                props.update(ts)
                required = [r for r in required if r not in nest]
                s = {"type": "object",
                     "description": "Create body for %s under a parent route (%s taken from the path, optional here)."
                     % (name, ", ".join(nest)),
                     "properties": props}
                if required:
                    s["required"] = required
                if m.get("open"):
                    s["additionalProperties"] = True
                self.schemas[name + "CreateNested"] = s
                self.schemas[name + "BatchCreateNested"] = {
                    "type": "object", "required": ["resources"],
                    "properties": {"resources": {"type": "array", "items": sref(name + "CreateNested")}},
                }
        props, _ = self.request_props(m, for_update=True)
        props.update(ts)
        s = {"type": "object", "description": "Update body for %s: every field optional." % name, "properties": props}
        if m.get("open"):
            s["additionalProperties"] = True
        self.schemas[name + "Update"] = s
        self.schemas[name + "BatchUpdate"] = {
            "type": "object", "required": ["resources"],
            "properties": {"resources": {
                "type": "object",
                "description": "Updates keyed by resource id.",
                "additionalProperties": sref(name + "Update"),
            }},
        }

    def envelopes(self, name, m):
        self.schemas[name + "List"] = {
            "type": "object",
            "description": "One page of %s." % name,
            "required": ["data", "links", "meta"],
            "properties": {"data": {"type": "array", "items": sref(name)},
                           "links": sref("PageLinks"), "meta": sref("PageMeta")},
        }
        if not m.get("readonly"):
            self.schemas[name + "Response"] = {
                "type": "object", "required": ["data"], "properties": {"data": sref(name)}}
            self.schemas[name + "BatchResponse"] = {
                "type": "object", "required": ["data"],
                "description": "Result of a batch operation: the affected %s entities, not paginated." % name,
                "properties": {"data": {"type": "array", "items": sref(name)}}}

    def enum_schemas(self):
        for name in sorted(self.enums):
            e = self.enums[name]
            s = {"type": "integer" if e.get("integer") else "string", "enum": list(e["values"])}
            if e.get("description"):
                s["description"] = e["description"]
            if name == "ApiVersion":
                s["default"] = "v2"
            if name == "RosterType":
                s["default"] = "automatic"
            self.schemas[name] = s

    def shared_schemas(self):
        S = self.schemas
        S["HexColor"] = {"type": "string", "pattern": "^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$",
                         "description": "Hex colour including the leading #."}
        S["PageLinks"] = {
            "type": "object", "description": "Pagination links of a list response.",
            "properties": {k: {"type": "string", "nullable": True} for k in ("first", "last", "prev", "next")}}
        S["PageMetaLink"] = {
            "type": "object", "description": "One entry of Laravel's paginator link list.",
            "properties": {"url": {"type": "string", "nullable": True}, "label": {"type": "string"},
                           "active": {"type": "boolean"}}}
        S["PageMeta"] = {
            "type": "object",
            "description": "Laravel paginator metadata. Open: unknown keys may appear.",
            "required": ["current_page", "last_page", "per_page", "total"],
            "properties": {
                "current_page": {"type": "integer", "format": "int64"},
                "from": {"type": "integer", "format": "int64", "nullable": True},
                "last_page": {"type": "integer", "format": "int64"},
                "links": {"type": "array", "items": sref("PageMetaLink")},
                "path": {"type": "string"},
                "per_page": {"type": "integer", "format": "int64"},
                "to": {"type": "integer", "format": "int64", "nullable": True},
                "total": {"type": "integer", "format": "int64"},
            }}
        S["ErrorDetail"] = {
            "type": "object", "required": ["message"],
            "properties": {
                "message": {"type": "string"},
                "type": {"type": "string", "description": "Short exception class name, e.g. ValidationException."},
                "request_id": {"type": "string", "description": "Also sent as X-Perscom-Request-Id."},
                "trace_id": {"type": "string", "description": "Also sent as X-Perscom-Trace-Id."},
                "errors": {"type": "object", "description": "Field errors; only on 422 (ValidationException).",
                           "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            }}
        S["ErrorEnvelope"] = {"type": "object", "required": ["error"], "properties": {"error": sref("ErrorDetail")},
                              "description": "Every JSON API error."}
        S["PerscomId"] = {"type": "string", "pattern": "^[0-9]+$",
                          "description": "A PERSCOM ID (the organisation, i.e. the tenant): digits. Anything else "
                                         "cannot be resolved to a tenant (401)."}
        # Orion search
        S["SearchScope"] = {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "description": "An exposed scope of the resource: each search operation's body "
                                                      "(`<Model>SearchRequest`, `UnscopedSearchRequest`) lists the "
                                                      "allowed names (also in `x-perscom-search-scopes`)."},
            "parameters": {"type": "array", "items": {}, "description": "Scope arguments."}}}
        cond = {
            "field": {"type": "string", "description": "A filterable column, or relation.column."},
            "operator": sref("SearchOperator"),
            "value": {"description": "Compared value; null, a scalar, or an array for in / not in / all in / any in."},
            "type": sref("SearchFilterType"),
        }
        S["SearchFilterCondition"] = {"type": "object", "required": ["field"], "properties": dict(cond),
                                      "description": "A leaf filter (inside `nested`; PERSCOM allows nesting depth 1)."}
        f = dict(cond)
        f["nested"] = {"type": "array", "items": sref("SearchFilterCondition"),
                       "description": "A group of filters combined by `type` (no `field` then)."}
        S["SearchFilter"] = {"type": "object", "properties": f,
                             "description": "A filter on `field`, or a `nested` group. `type` (and|or) joins it to the previous filter."}
        S["SearchText"] = {"type": "object", "required": ["value"], "properties": {
            "value": {"type": "string"},
            "case_sensitive": {"type": "boolean", "default": True,
                               "description": "PERSCOM searches case-sensitively unless false is sent."}}}
        S["SearchSort"] = {"type": "object", "required": ["field"], "properties": {
            "field": {"type": "string"}, "direction": sref("SortDirection")}}
        S["SearchInclude"] = {"type": "object", "required": ["relation"], "properties": {
            "relation": {"type": "string"},
            "filters": {"type": "array", "items": sref("SearchFilter")}}}
        S["SearchRequest"] = {
            "type": "object", "description": "Orion search body; every part optional. Results paginate like the index.",
            "properties": {
                "scopes": {"type": "array", "items": sref("SearchScope")},
                "filters": {"type": "array", "items": sref("SearchFilter")},
                "search": sref("SearchText"),
                "sort": {"type": "array", "items": sref("SearchSort")},
                "includes": {"type": "array", "items": sref("SearchInclude")},
            }}
        # batch delete, relations
        ids = {"type": "array", "items": {"type": "integer", "format": "int64"}}
        S["BatchDeleteRequest"] = {"type": "object", "required": ["resources"],
                                   "properties": {"resources": dict(ids, description="Ids to delete.")}}
        S["AssociateRequest"] = {"type": "object", "required": ["related_key"], "properties": {
            "related_key": {"type": "integer", "format": "int64", "description": "Id of the entity to associate with the parent."}}}
        S["RelatedIds"] = dict(ids, description="Related ids.")
        S["RelationPivot"] = {
            "type": "object",
            "description": "Pivot column values. Which columns a relation has is listed per operation in x-perscom-pivot "
                           "(forms/fields: order; submissions/statuses: text, created_at; users/status-records: text; "
                           "users/tasks: assigned_by_id, assigned_at, due_at, completed_at, expires_at).",
            "properties": {
                "order": {"type": "integer", "format": "int64"},
                "text": {"type": "string", "nullable": True},
                "created_at": {"type": "string", "format": "date-time"},
                "assigned_by_id": {"type": "integer", "format": "int64", "nullable": True},
                "assigned_at": {"type": "string", "format": "date-time", "nullable": True},
                "due_at": {"type": "string", "format": "date-time", "nullable": True},
                "completed_at": {"type": "string", "format": "date-time", "nullable": True},
                "expires_at": {"type": "string", "format": "date-time", "nullable": True},
            }}
        S["RelatedPivots"] = {"type": "object", "additionalProperties": sref("RelationPivot"),
                              "description": "Related ids (object keys) with the pivot values to store."}
        S["RelatedResources"] = {"oneOf": [sref("RelatedIds"), sref("RelatedPivots")],
                                 "description": "A list of ids, or an object keyed by id with pivot values."}
        S["AttachRequest"] = {"type": "object", "required": ["resources"], "properties": {
            "resources": sref("RelatedResources"),
            "duplicates": {"type": "boolean", "default": False, "description": "Allow attaching an id twice."}}}
        S["DetachRequest"] = {"type": "object", "required": ["resources"], "properties": {"resources": sref("RelatedResources")}}
        S["SyncRequest"] = {"type": "object", "required": ["resources"], "properties": {
            "resources": sref("RelatedResources"),
            "detaching": {"type": "boolean", "default": True, "description": "Detach ids not listed."}}}
        S["ToggleRequest"] = {"type": "object", "required": ["resources"], "properties": {"resources": sref("RelatedResources")}}
        S["PivotUpdateRequest"] = {"type": "object", "required": ["pivot"], "properties": {"pivot": sref("RelationPivot")}}
        S["AttachResult"] = {"type": "object", "required": ["attached"], "properties": {"attached": ids}}
        S["DetachResult"] = {"type": "object", "required": ["detached"], "properties": {"detached": ids}}
        S["SyncResult"] = {"type": "object", "required": ["attached", "detached", "updated"],
                           "properties": {"attached": ids, "detached": ids, "updated": ids}}
        S["ToggleResult"] = {"type": "object", "required": ["attached", "detached"],
                             "properties": {"attached": ids, "detached": ids}}
        S["PivotUpdateResult"] = {"type": "object", "required": ["updated"], "properties": {"updated": ids}}
        # multipart
        binary = {"type": "string", "format": "binary"}
        method = sref("MethodOverride")
        img = self.models["Image"]["fields"]
        S["ImageUpload"] = {
            "type": "object", "required": ["name", "image"],
            "description": "multipart/form-data create body of an image.",
            "properties": {"name": {"type": "string"}, "description": {"type": "string", "description": HTML_DESC},
                           "image": dict(binary, description="Image file, at most 10 MB.")}}
        S["ImageUploadUpdate"] = {
            "type": "object", "required": ["_method"],
            "description": "multipart/form-data update of an image, sent as POST with _method=PUT (method spoofing).",
            "properties": {"_method": method, "name": {"type": "string"},
                           "description": {"type": "string", "description": HTML_DESC},
                           "image": dict(binary, description="Replacement image file, at most 10 MB.")}}
        S["ImageBatchUpload"] = {
            "type": "object", "required": ["resources"],
            "description": "multipart/form-data batch create; parts are named resources[N][name], resources[N][image] (PHP bracket notation).",
            "properties": {"resources": {"type": "array", "items": sref("ImageUpload")}}}
        S["AttachmentUpload"] = {
            "type": "object", "required": ["name", "file"],
            "description": "multipart/form-data create body of an attachment.",
            "properties": {"name": {"type": "string"}, "file": dict(binary, description="File, at most 10 MB."),
                           "model_type": {"type": "string"}, "model_id": {"type": "integer", "format": "int64"}}}
        S["AttachmentUploadUpdate"] = {
            "type": "object", "required": ["_method"],
            "description": "multipart/form-data update of an attachment, sent as POST with _method=PUT (method spoofing).",
            "properties": {"_method": method, "name": {"type": "string"},
                           "file": dict(binary, description="Replacement file, at most 10 MB.")}}
        S["AttachmentBatchUpload"] = {
            "type": "object", "required": ["resources"],
            "description": "multipart/form-data batch create; parts are named resources[N][name], resources[N][file] (PHP bracket notation).",
            "properties": {"resources": {"type": "array", "items": sref("AttachmentUpload")}}}
        S["UserPhotoUpload"] = {
            "type": "object", "required": ["_method"],
            "description": "multipart/form-data user update carrying photos, sent as POST /users/{user} with _method=PUT "
                           "(what the PHP SDK does). Other user fields may be sent as form fields too. "
                           "To remove a photo send a JSON update with the field set to null.",
            "properties": {"_method": method,
                           "profile_photo": dict(binary, description="Image, at most 10000 KB."),
                           "cover_photo": dict(binary, description="Image, at most 10000 KB.")}}
        # misc
        S["CacheClearResult"] = {"type": "object", "required": ["status"],
                                 "properties": {"status": {"type": "string", "description": "\"okay\""}}}
        S["HealthResponse"] = {"type": "object", "required": ["data"],
                               "properties": {"data": {"description": "Health-check results."}}}
        S["OpenApiDocument"] = {"type": "object", "additionalProperties": True,
                                "description": "The raw official openapi.json, proxied from the perscom-docs repository."}
        S["LivewireUpdateRequest"] = {"type": "object", "additionalProperties": True,
                                      "description": "Livewire's internal component-update payload (not a public API)."}

    # --------------------------------------------------------------- parameters
    def shared_parameters(self):
        P = self.parameters
        P["Version"] = {"name": "version", "in": "path", "required": True,
                        "description": "API version; v2 is current.", "schema": sref("ApiVersion")}
        P["PerscomId"] = {"name": "X-Perscom-Id", "in": "header", "required": False,
                          "description": "Tenant (PERSCOM ID, digits). Optional when the API key already carries the tenant claim; "
                                         "needed with OAuth client-credentials tokens.",
                          "schema": sref("PerscomId")}
        P["Page"] = {"name": "page", "in": "query", "required": False, "description": "1-based page number.",
                     "schema": {"type": "integer", "format": "int64", "minimum": 1, "default": 1}}
        P["Limit"] = {"name": "limit", "in": "query", "required": False,
                      "description": "Items per page (server default 15, no maximum).",
                      "schema": {"type": "integer", "format": "int64", "minimum": 1, "default": 15}}
        P["Include"] = self.include_param(None, [])
        P["RosterType"] = {"name": "type", "in": "query", "required": False,
                           "description": "Roster layout.", "schema": sref("RosterType")}
        for name in sorted(self.models):
            inc = self.models[name].get("includes")
            if inc:
                P[name + "Include"] = self.include_param(name, inc)

    def include_param(self, model, includes):
        desc = "Comma-separated relations to include (sent as one value, e.g. include=rank,unit). "
        if includes:
            desc += "Allowed: " + ", ".join(includes)
            if any("*" in inc for inc in includes):
                desc += " (`x(.*)` allows x and any relation under it, x.y...)"
            desc += ". "
        else:
            desc += "This resource whitelists no relations. "
        desc += "A relation outside the whitelist gives 422."
        p = {"name": "include", "in": "query", "required": False, "description": desc,
             "style": "form", "explode": False,
             "schema": {"type": "array", "items": include_items(includes)}}
        if not includes:
            p["schema"]["maxItems"] = 0
        else:
            p["x-perscom-includes"] = list(includes)
        return p

    def search_body(self, model, scopes, unknown):
        """The search body of one operation: `SearchRequest` narrowed to the scopes the resource
        exposes (`<Model>SearchRequest`), to none (`UnscopedSearchRequest`), or left open when the
        names are not known (`unknown`)."""
        S = self.schemas
        if unknown:
            return "SearchRequest"
        if not scopes:
            S.setdefault("UnscopedSearchRequest", {
                "description": "A SearchRequest for a resource that exposes no search scopes: `scopes` must be "
                               "empty or absent (any scope gives 422).",
                "allOf": [sref("SearchRequest"),
                          {"type": "object", "properties": {"scopes": {"type": "array", "maxItems": 0}}}]})
            return "UnscopedSearchRequest"
        body, scope = model + "SearchRequest", model + "SearchScope"
        names = ", ".join(scopes)
        S[scope] = {
            "description": "A search scope %s expose: %s." % (self.plural_word(model), names),
            "allOf": [sref("SearchScope"),
                      {"type": "object", "properties": {"name": {"type": "string", "enum": list(scopes)}}}]}
        S[body] = {
            "description": "A SearchRequest whose scopes are the ones %s expose (%s); any other scope gives 422."
                           % (self.plural_word(model), names),
            "allOf": [sref("SearchRequest"),
                      {"type": "object", "properties": {"scopes": {"type": "array", "items": sref(scope)}}}]}
        return body

    def plural_word(self, model):
        for r in self.t["resources"]:
            if r["model"] == model:
                return r["plural"].replace("_", " ")
        return model

    def id_param(self, name):
        comp = camel(name) + "Id"
        if comp not in self.parameters:
            self.parameters[comp] = {"name": name, "in": "path", "required": True,
                                     "schema": {"type": "integer", "format": "int64"}}
        return ref("parameters", comp)

    def include_ref(self, model):
        if self.models.get(model, {}).get("includes"):
            return ref("parameters", model + "Include")
        return ref("parameters", "Include")

    # --------------------------------------------------------------- operations
    def add(self, path, method, op_id, *, tag, summary, scope, path_params, query=(), body=None,
            ok=None, status="200", errors=True, extra=None, security=None, versioned=True):
        if op_id in self.op_ids:
            raise SystemExit("duplicate operationId " + op_id)
        self.op_ids.add(op_id)
        self.tags.add(tag)
        item = self.paths.setdefault(path, {})
        if "parameters" not in item and path_params:
            item["parameters"] = list(path_params)
        if method in item:
            raise SystemExit("duplicate %s %s" % (method, path))
        op = {"operationId": op_id, "tags": [tag], "summary": summary}
        params = list(query) + [ref("parameters", "PerscomId")]
        op["parameters"] = params
        if body is not None:
            op["requestBody"] = body
        if isinstance(ok, dict) and "content" in ok:
            resp = ok
        elif ok is None:
            resp = {"description": "OK"}
        else:
            resp = {"description": "Created" if status == "201" else "OK",
                    "content": {"application/json": {"schema": sref(ok)}}}
        op["responses"] = {status: resp}
        if extra:
            op["responses"].update(extra)
        if errors:
            codes = ERRORS if versioned else {"500": "ServerError", "503": "ServiceUnavailable"}
            for code, name in codes.items():
                op["responses"][code] = ref("responses", name)
        if security is not None:
            op["security"] = security
        op["x-perscom-scope"] = scope
        item[method] = op
        return op

    @staticmethod
    def json_body(schema, desc=None):
        b = {"required": True, "content": {"application/json": {"schema": sref(schema)}}}
        if desc:
            b["description"] = desc
        return b

    @staticmethod
    def multipart_body(schema):
        if isinstance(schema, list):
            s = {"oneOf": [sref(x) for x in schema]}
        else:
            s = sref(schema)
        return {"required": True, "content": {"multipart/form-data": {"schema": s}}}

    def crud(self, *, base, item, params, item_params, model, tag, prefix, singular, plural,
             ops, nested_fk=None, note=None, id_optional=False, search_scopes=None, scopes_note=None, link=None):
        """Emit an Orion operation set. `ops` is a subset of the route actions."""
        m = self.models[model]
        sc = m["scope"]
        inc = self.include_ref(model)
        lq = [ref("parameters", "Page"), ref("parameters", "Limit"), inc]
        pre = prefix + "_" if prefix else ""
        files = [f for f in m.get("files", []) if f in ("file", "image")]
        create_schema = model + ("CreateNested" if nested_fk and (model + "CreateNested") in self.schemas else "Create")
        bcreate_schema = model + ("BatchCreateNested" if create_schema.endswith("Nested") else "BatchCreate")
        upload = {"Image": "ImageUpload", "Attachment": "AttachmentUpload"}.get(model)

        def summ(text):
            return text + (" " + note if note else "")

        where = (" of %s" % an(prefix)) if prefix else ""
        if "batchStore" in ops:
            body = self.multipart_body(model + "BatchUpload") if files else self.json_body(bcreate_schema)
            self.add(base + "/batch", "post", "batch_create_%s%s" % (pre, plural), tag=tag,
                     summary=summ("Create several %s%s in one transaction" % (plural.replace("_", " "), where)),
                     scope="create:" + sc, path_params=params, query=[inc], body=body, ok=model + "BatchResponse")
        if "batchUpdate" in ops:
            self.add(base + "/batch", "patch", "batch_update_%s%s" % (pre, plural), tag=tag,
                     summary=summ("Update several %s%s, keyed by id" % (plural.replace("_", " "), where)),
                     scope="update:" + sc, path_params=params, query=[inc], body=self.json_body(model + "BatchUpdate"),
                     ok=model + "BatchResponse")
        if "batchDestroy" in ops:
            self.add(base + "/batch", "delete", "batch_delete_%s%s" % (pre, plural), tag=tag,
                     summary=summ("Delete several %s%s by id" % (plural.replace("_", " "), where)),
                     scope="delete:" + sc, path_params=params, query=[inc], body=self.json_body("BatchDeleteRequest"),
                     ok=model + "BatchResponse")
        if "search" in ops:
            op = self.add(base + "/search", "post", "search_%s%s" % (pre, plural), tag=tag,
                          summary=summ("Search %s%s (filters, scopes, full-text, sort)" % (plural.replace("_", " "), where)),
                          scope="view:" + sc, path_params=params, query=lq,
                          body=self.json_body(self.search_body(model, search_scopes, scopes_note)),
                          ok=model + "List")
            op["x-perscom-search-scopes"] = list(search_scopes or [])
            # A search is a POST that only reads: clients may retry it as they would a GET.
            op["x-permkit-read-only"] = True
            if scopes_note:
                op["description"] = scopes_note
        if "index" in ops:
            self.add(base, "get", "list_%s%s" % (pre, plural), tag=tag,
                     summary=summ("List %s%s" % (plural.replace("_", " "), where)),
                     scope="view:" + sc, path_params=params, query=lq, ok=model + "List")
        if "store" in ops:
            if files:
                body = self.multipart_body(upload if not id_optional else [upload, upload + "Update"])
            else:
                body = self.json_body(create_schema)
            # The same POST with `_method=PUT`/`PATCH` is the update action (Laravel method
            # spoofing): it answers as an update does, 200.
            spoofed = {"200": {"description": "OK (the form sent with _method=PUT or PATCH: the update action)",
                               "content": {"application/json": {"schema": sref(model + "Response")}}}}
            op = self.add(base, "post", ("create_%s%s" % (pre, singular)), tag=tag,
                          summary=summ("Create %s%s" % (an(singular), where)),
                          scope="create:" + sc, path_params=params, query=[inc], body=body,
                          ok=model + "Response", status="201",
                          extra=spoofed if files and id_optional else None)
            if files and id_optional:
                op["description"] = ("Sending the ImageUploadUpdate form (with _method=PUT) to this URL replaces the existing "
                                     "image instead (Laravel method spoofing routes it to the update action, which answers "
                                     "200).")
        if "show" in ops:
            self.add(item, "get", "get_%s%s" % (pre, singular), tag=tag,
                     summary=summ("Get %s%s" % (an(singular), where)),
                     scope="view:" + sc, path_params=item_params, query=[inc], ok=model + "Response")
        if "update" in ops:
            for method, verb in (("put", "update"), ("patch", "patch")):
                self.add(item, method, "%s_%s%s" % (verb, pre, singular), tag=tag,
                         summary=summ("Update %s%s (%s)" % (an(singular), where, method.upper())),
                         scope="update:" + sc, path_params=item_params, query=[inc],
                         body=self.json_body(model + "Update"), ok=model + "Response")
            spoof = {"Image": "ImageUploadUpdate", "Attachment": "AttachmentUploadUpdate", "User": "UserPhotoUpload"}.get(model)
            if spoof and not id_optional:
                op = self.add(item, "post", "update_%s%s_multipart" % (pre, singular), tag=tag,
                              summary=summ("Update %s%s with file uploads (multipart POST, _method=PUT)"
                                           % (an(singular), where)),
                              scope="update:" + sc, path_params=item_params, query=[inc],
                              body=self.multipart_body(spoof), ok=model + "Response")
                op["description"] = ("Not a separate server route: Laravel method spoofing sends this POST to the PUT "
                                     "update action, because PHP does not parse multipart PUT/PATCH bodies.")
                op["x-perscom-method-override"] = "PUT"
        if "destroy" in ops:
            op = self.add(item, "delete", "delete_%s%s" % (pre, singular), tag=tag,
                          summary=summ("Delete %s%s" % (an(singular), where)),
                          scope="delete:" + sc, path_params=item_params, query=[inc], ok=model + "Response")
            op["description"] = "Returns the deleted entity."
            if id_optional:
                op["description"] = ("Deletes the related %s entity itself (Orion destroy on a to-one relation), "
                                     "not merely the link; returns it." % singular.replace("_", " "))
            elif link:
                op["description"] = ("Deletes the related %s entity itself; use %s to remove only the link. "
                                     "Returns the deleted entity." % (singular.replace("_", " "), link))

    def relation_ops(self, *, base, item_base, params, item_params, pivot_params, tag, prefix, singular, plural,
                     parent_scope, kind, ops, pivot=None, model=None):
        pre = prefix + "_"
        sc = "update:" + parent_scope
        inc = self.include_ref(model) if model else ref("parameters", "Include")
        if kind == "hasMany":
            if "associate" in ops:
                child_scope = self.models[model]["scope"]
                op = self.add(base + "/associate", "post", "associate_%s%s" % (pre, singular), tag=tag,
                              summary="Associate an existing %s with the %s" % (singular.replace("_", " "), prefix.replace("_", " ")),
                              scope="update:" + child_scope, path_params=params, query=[inc],
                              body=self.json_body("AssociateRequest"), ok=model + "Response")
                op["description"] = "Also needs view on the parent."
            if "dissociate" in ops:
                child_scope = self.models[model]["scope"]
                self.add(item_base + "/dissociate", "delete", "dissociate_%s%s" % (pre, singular), tag=tag,
                         summary="Dissociate %s from the %s" % (an(singular), prefix.replace("_", " ")),
                         scope="update:" + child_scope, path_params=item_params, query=[inc], ok=model + "Response")
            return
        pv = {"x-perscom-pivot": list(pivot or [])}
        what = plural.replace("_", " ")
        if "sync" in ops:
            op = self.add(base + "/sync", "patch", "sync_%s%s" % (pre, plural), tag=tag,
                          summary="Sync the %s of a %s" % (what, prefix.replace("_", " ")), scope=sc, path_params=params,
                          body=self.json_body("SyncRequest"), ok="SyncResult")
            op.update(pv)
        if "toggle" in ops:
            op = self.add(base + "/toggle", "patch", "toggle_%s%s" % (pre, plural), tag=tag,
                          summary="Toggle %s on a %s" % (what, prefix.replace("_", " ")), scope=sc, path_params=params,
                          body=self.json_body("ToggleRequest"), ok="ToggleResult")
            op.update(pv)
        if "updatePivot" in ops:
            op = self.add(item_base + "/pivot", "patch", "update_%s%s_pivot" % (pre, singular), tag=tag,
                          summary="Update the pivot values of one %s of a %s" % (singular.replace("_", " "), prefix.replace("_", " ")),
                          scope=sc, path_params=pivot_params, body=self.json_body("PivotUpdateRequest"),
                          ok="PivotUpdateResult")
            op.update(pv)
        if "attach" in ops:
            op = self.add(base + "/attach", "post", "attach_%s%s" % (pre, plural), tag=tag,
                          summary="Attach %s to a %s" % (what, prefix.replace("_", " ")), scope=sc, path_params=params,
                          body=self.json_body("AttachRequest"), ok="AttachResult")
            op.update(pv)
        if "detach" in ops:
            op = self.add(base + "/detach", "delete", "detach_%s%s" % (pre, plural), tag=tag,
                          summary="Detach %s from a %s" % (what, prefix.replace("_", " ")), scope=sc, path_params=params,
                          body=self.json_body("DetachRequest"), ok="DetachResult")
            op.update(pv)

    # ------------------------------------------------------------------- routes
    def routes(self):
        V = ref("parameters", "Version")
        full = ["index", "search", "store", "show", "update", "destroy", "batchStore", "batchUpdate", "batchDestroy"]
        by_path = {r["path"]: r for r in self.t["resources"]}

        # me
        self.add("/{version}/me", "get", "get_me", tag="me", summary="The authenticated user (a one-item page)",
                 scope=None, path_params=[V],
                 query=[ref("parameters", "Page"), ref("parameters", "Limit"), ref("parameters", "UserInclude")],
                 ok="UserList")
        for r in self.t["resources"]:
            m = self.models[r["model"]]
            base = "/{version}/" + r["path"]
            item = base + "/{%s}" % r["param"]
            self.crud(base=base, item=item, params=[V], item_params=[V, self.id_param(r["param"])],
                      model=r["model"], tag=r["path"], prefix="", singular=r["singular"], plural=r["plural"],
                      ops=full, search_scopes=m.get("search_scopes"))
        for rel in self.t["relations"]:
            parent = by_path[rel["parent"]]
            P = self.id_param(parent["param"])
            base = "/{version}/%s/{%s}/%s" % (rel["parent"], parent["param"], rel["segment"])
            kind = rel["kind"]
            common = dict(model=rel["model"], tag=rel["parent"], prefix=parent["singular"],
                          singular=rel["singular"], plural=rel["plural"], note=None)
            if rel.get("bug"):
                common["note"] = "(server bug: serves rank records)"
            if kind == "hasOne":
                # Child id optional ({image?}) and ignored: the SDK calls /P/{p}/image.
                self.crud(base=base, item=base, params=[V, P], item_params=[V, P],
                          ops=["store", "show", "update", "destroy"], id_optional=True, **common)
                continue
            if kind == "belongsTo":
                self.crud(base=base, item=base, params=[V, P], item_params=[V, P],
                          ops=["batchUpdate", "batchDestroy", "show", "update", "destroy"], id_optional=True, **common)
                continue
            C = self.id_param(rel["param"])
            item = base + "/{%s}" % rel["param"]
            self.crud(base=base, item=item, params=[V, P], item_params=[V, P, C], ops=full,
                      nested_fk=rel.get("nested_fk"), search_scopes=[], scopes_note=rel.get("search_scopes_note"),
                      link="dissociate" if kind == "hasMany" else "detach", **common)
            rops = ["associate", "dissociate"] if kind == "hasMany" else ["sync", "toggle", "updatePivot", "attach", "detach"]
            self.relation_ops(base=base, item_base=item, params=[V, P], item_params=[V, P, C], pivot_params=[V, P, C],
                              tag=rel["parent"], prefix=parent["singular"], singular=rel["singular"],
                              plural=rel["plural"], parent_scope=self.models[parent["model"]]["scope"], kind=kind,
                              ops=rops, pivot=rel.get("pivot"), model=rel["model"])
            if rel.get("bug"):
                for path in [p for p in self.paths if p.startswith(base)]:
                    for k, op in self.paths[path].items():
                        if k != "parameters":
                            op["x-perscom-server-bug"] = rel["bug"]

        # newsfeed
        self.add("/{version}/newsfeed", "get", "list_newsfeed", tag="newsfeed", summary="List newsfeed (activity) items",
                 scope="view:newsfeed", path_params=[V],
                 query=[ref("parameters", "Page"), ref("parameters", "Limit"), ref("parameters", "Include")],
                 ok="NewsfeedItemList")
        NB = "/{version}/newsfeed/{newsfeed}/likes"
        NP = [V, self.id_param("newsfeed")]
        self.add(NB, "get", "list_newsfeed_likes", tag="newsfeed", summary="List the users who liked a newsfeed item",
                 scope="view:user", path_params=NP,
                 query=[ref("parameters", "Page"), ref("parameters", "Limit"), ref("parameters", "UserInclude")],
                 ok="UserList")
        self.relation_ops(base=NB, item_base=None, params=NP, item_params=None, pivot_params=None, tag="newsfeed",
                          prefix="newsfeed", singular="like", plural="likes", parent_scope="newsfeed",
                          kind="belongsToMany", ops=["sync", "attach", "detach"], model="User")
        # roster
        rq = [ref("parameters", "RosterType"), ref("parameters", "GroupInclude")]
        self.add("/{version}/roster", "get", "list_roster", tag="roster",
                 summary="The roster: groups with their units and members always included",
                 scope="view:group", path_params=[V],
                 query=[ref("parameters", "Page"), ref("parameters", "Limit")] + rq, ok="GroupList")
        self.add("/{version}/roster/{roster}", "get", "get_roster", tag="roster",
                 summary="One roster group with its units and members",
                 scope="view:group", path_params=[V, self.id_param("roster")], query=rq, ok="GroupResponse")
        # settings
        self.add("/{version}/settings", "get", "list_settings", tag="settings", summary="List the organisation's settings",
                 scope="view:settings", path_params=[V],
                 query=[ref("parameters", "Page"), ref("parameters", "Limit"), ref("parameters", "Include")],
                 ok="SettingList")
        # cache
        op = self.add("/{version}/cache", "post", "clear_cache", tag="cache",
                      summary="Purge the organisation's API and CDN cache", scope="clear:cache", path_params=[V],
                      ok="CacheClearResult")
        op["description"] = "Propagation can take a few minutes."
        # widgets (HTML)
        html = {"description": "Widget HTML (iframe content).", "content": {"text/html": {"schema": {"type": "string"}}}}
        html_err = {"4XX": {"description": "Error page (HTML).", "content": {"text/html": {"schema": {"type": "string"}}}},
                    "5XX": {"description": "Error page (HTML).", "content": {"text/html": {"schema": {"type": "string"}}}}}
        W = {"name": "widget", "in": "path", "required": True, "schema": sref("WidgetName")}
        WR = {"name": "resource", "in": "path", "required": True, "schema": {"type": "string"},
              "description": "Optional resource segment ({resource?}); e.g. a form id."}
        sec = [{"apiKeyQuery": []}, {"bearerAuth": []}]
        for path, pp, oid, s in (("/{version}/widgets/{widget}", [V, W], "get_widget", "Render a widget (HTML)"),
                                 ("/{version}/widgets/{widget}/{resource}", [V, W, WR], "get_widget_resource",
                                  "Render a widget for one resource (HTML)")):
            op = self.add(path, "get", oid, tag="widgets", summary=s, scope=None, path_params=pp,
                          query=[{"name": "dark", "in": "query", "required": False, "schema": {"type": "boolean"}}],
                          ok=html, errors=False, extra=html_err, security=sec)
            op["description"] = ("Returns HTML for embedding in an iframe (the widget loader passes ?apikey=). "
                                 "Errors render as HTML pages, not JSON.")
        op = self.add("/{version}/widgets/livewire/update", "post", "update_widget_livewire", tag="widgets",
                      summary="Livewire component update (internal to the widgets)", scope=None, path_params=[V],
                      body=self.json_body("LivewireUpdateRequest"),
                      ok={"description": "Livewire response.", "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}}},
                      errors=False, extra=html_err, security=sec)
        op["x-perscom-internal"] = True
        # unversioned
        self.add("/health", "get", "get_health", tag="health", summary="Health-check results (no auth)", scope=None,
                 path_params=[], ok="HealthResponse", extra={"204": {"description": "No health checks registered."}},
                 security=[], versioned=False)
        self.add("/spec.json", "get", "get_spec", tag="spec", summary="The official OpenAPI document (no auth)",
                 scope=None, path_params=[], ok="OpenApiDocument", security=[], versioned=False)

    # ----------------------------------------------------------------- document
    def responses(self):
        hdr = {"X-Perscom-Request-Id": ref("headers", "RequestId"), "X-Perscom-Trace-Id": ref("headers", "TraceId")}
        texts = {
            "BadRequest": "Bad request, e.g. an unknown API version (the message lists the valid versions).",
            "Unauthorized": "No or invalid API key, tenant not resolvable, or account awaiting approval.",
            "PaymentRequired": "The organisation has no active subscription or trial (the API needs Pro).",
            "Forbidden": "The API key lacks the scope for this operation.",
            "NotFound": "Unknown id or endpoint.",
            "UnprocessableEntity": "Validation failed (body, include, filter, sort or nesting depth); `error.errors` holds field messages.",
            "TooManyRequests": "Rate limit exceeded; wait for Retry-After seconds.",
            "ServerError": "Server error.",
            "ServiceUnavailable": "Maintenance mode.",
        }
        out = {}
        for name in sorted(texts):
            h = dict(hdr)
            if name == "TooManyRequests":
                h.update({"Retry-After": ref("headers", "RetryAfter"),
                          "X-RateLimit-Limit": ref("headers", "RateLimitLimit"),
                          "X-RateLimit-Remaining": ref("headers", "RateLimitRemaining"),
                          "X-RateLimit-Reset": ref("headers", "RateLimitReset")})
            out[name] = {"description": texts[name], "headers": h,
                         "content": {"application/json": {"schema": sref("ErrorEnvelope")}}}
        return out

    def build(self):
        self.enum_schemas()
        self.shared_schemas()
        self.model_schemas()
        self.shared_parameters()
        self.routes()
        tag_desc = {"me": "The authenticated user.", "health": "Service health (unversioned).",
                    "spec": "The official OpenAPI document (unversioned).", "widgets": "Embeddable HTML widgets."}
        doc = {
            "openapi": "3.0.3",
            "info": {
                "title": "PERSCOM API",
                "version": "v2",
                "description": (
                    "Faithful description of the PERSCOM REST API (Laravel Orion), generated by scripts/perscom_spec.py "
                    "from openapi/perscom/resources.yaml. Versioned routes live under /{version} (v1 or v2, default v2). "
                    "Lists paginate with page/limit and return {data, links, meta}. x-perscom-scope names the API-key "
                    "scope each operation needs (absent: no scope check)."),
                "license": {"name": "Proprietary API; this description is part of permkit"},
            },
            "servers": [{"url": "https://api.perscom.io", "description": "Production"},
                        {"url": "https://api.staging.perscom.io", "description": "Staging"}],
            "security": [{"bearerAuth": []}, {"apiKeyQuery": []}],
            "tags": [{"name": t, "description": tag_desc.get(t, "PERSCOM %s." % t)} for t in sorted(self.tags)],
            "paths": {p: self.paths[p] for p in sorted(self.paths)},
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                   "description": "API key (a Passport personal access token, a JWT carrying the tenant) or an OAuth token."},
                    "apiKeyQuery": {"type": "apiKey", "in": "query", "name": "apikey",
                                    "description": "The API key as a query parameter (used by widgets)."},
                },
                "headers": {
                    "RequestId": {"description": "Request id (UUID).", "schema": {"type": "string"}},
                    "TraceId": {"description": "Trace id (UUID).", "schema": {"type": "string"}},
                    "RetryAfter": {"description": "Seconds to wait.", "schema": {"type": "integer"}},
                    "RateLimitLimit": {"description": "Requests allowed per minute.", "schema": {"type": "integer"}},
                    "RateLimitRemaining": {"description": "Requests left in the window.", "schema": {"type": "integer"}},
                    "RateLimitReset": {"description": "Window reset (Unix time).", "schema": {"type": "integer"}},
                },
                "parameters": {k: self.parameters[k] for k in sorted(self.parameters)},
                "responses": self.responses(),
                "schemas": {k: self.schemas[k] for k in sorted(self.schemas)},
            },
        }
        # drop null scopes
        for p in doc["paths"].values():
            for k, op in p.items():
                if k != "parameters" and op.get("x-perscom-scope") is None:
                    op.pop("x-perscom-scope")
                    op["x-perscom-scope-free"] = True
        return doc


SHALLOW = "Shallow"


def prism_doc(doc, table):
    """The document CI's Prism mock serves (see openapi/perscom/README.md, "Contract tests").

    Prism 5 cannot load the faithful document: the relation properties of the response models
    form reference cycles (User -> AssignmentRecord -> User, 17 models in one strongly connected
    component) and its loader never finishes. Here every relation property of a response model
    points to `<Model>Shallow` instead, a copy of the related model without its relation
    properties: one level of includes, as the server returns for `?include=rank`. The graph is
    then acyclic. Nothing else changes: paths, parameters, request bodies, security, the
    response envelopes and every non-relation property are the faithful ones (asserted).
    """
    import copy

    out = copy.deepcopy(doc)
    schemas = out["components"]["schemas"]
    models = table["models"]
    for name in models:
        if name + SHALLOW in schemas:
            raise SystemExit("schema %s%s already exists" % (name, SHALLOW))
    relation_props = {name: set(m.get("relations") or {}) for name, m in models.items()}
    needed = set()

    def retarget(node):
        if isinstance(node, dict):
            r = node.get("$ref", "")
            target = r.rsplit("/", 1)[-1]
            if r.startswith("#/components/schemas/") and target in models:
                node["$ref"] = "#/components/schemas/" + target + SHALLOW
                needed.add(target)
            for v in node.values():
                retarget(v)
        elif isinstance(node, list):
            for v in node:
                retarget(v)

    for name in sorted(models):
        props = schemas[name]["properties"]
        for rname in sorted(relation_props[name]):
            retarget(props[rname])
    for name in sorted(needed):
        shallow = copy.deepcopy(doc["components"]["schemas"][name])
        for rname in relation_props[name]:
            del shallow["properties"][rname]
        shallow["description"] = ("%s without its relations: what a relation of another response holds in the "
                                  "document Prism serves (one level of includes)." % name)
        schemas[name + SHALLOW] = shallow
    out["components"]["schemas"] = {k: schemas[k] for k in sorted(schemas)}
    out["info"]["description"] = (
        "DERIVED from openapi/perscom.yaml by `scripts/perscom_spec.py --prism-spec` for the Prism contract tests: "
        "relation properties of response models point to relation-free <Model>Shallow copies (no reference cycles). "
        "Not the faithful description; do not commit.")
    # Everything a request is validated against is the faithful document's.
    assert out["paths"] == doc["paths"]
    for k in ("parameters", "securitySchemes", "responses", "headers"):
        assert out["components"][k] == doc["components"][k], k
    for k, v in doc["components"]["schemas"].items():
        if k not in models:
            assert schemas[k] == v, k
        else:
            same = {p: x for p, x in v["properties"].items() if p not in relation_props[k]}
            assert {p: x for p, x in schemas[k]["properties"].items() if p not in relation_props[k]} == same, k
    return out


class NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def render(doc):
    head = ("# GENERATED by scripts/perscom_spec.py from openapi/perscom/resources.yaml: do not edit by hand.\n"
            "# Faithful description of the PERSCOM API; generator workarounds belong to build.rs's adaptation step.\n")
    return head + yaml.dump(doc, Dumper=NoAliasDumper, sort_keys=False, default_flow_style=False,
                            allow_unicode=True, width=120)


def render_prism(doc):
    head = ("# DERIVED from openapi/perscom.yaml by `python3 scripts/perscom_spec.py --prism-spec PATH` for CI's\n"
            "# Prism mock (relation properties of responses point to relation-free copies). Do not commit.\n")
    return head + yaml.dump(doc, Dumper=NoAliasDumper, sort_keys=False, default_flow_style=False,
                            allow_unicode=True, width=120)


def count_routes(routes_md):
    pairs = set()
    for line in open(routes_md, encoding="utf-8"):
        m = re.match(r"\|\s*[^|]+\|\s*[^|]+\|\s*([A-Z, ]+)\|\s*`([^`]+)`", line)
        if not m:
            continue
        for meth in m.group(1).split(","):
            pairs.add((meth.strip().lower(), m.group(2)))
    return pairs


def scope_words(table):
    """Resource scope name -> PascalCase words (from the model names of the table)."""
    words = {m["scope"]: name for name, m in table["models"].items()}
    words.update({"newsfeed": "Newsfeed", "statusrecord": "StatusRecord", "settings": "Settings"})
    return words


def scope_catalogue(doc, table):
    """Every scope the server defines, as the spec's `x-perscom-scopes` (scope, Rust name, text).

    build.rs turns it and each operation's `x-perscom-scope` into the Rust scope table; here it
    is only checked that every operation names a known scope (or is scope-free)."""
    words = scope_words(table)
    variants = []
    for res in SCOPE_RESOURCES:
        for ab, ab_word, verb in ABILITIES:
            variants.append(("%s:%s" % (ab, res), ab_word + words[res], "%s `%s` resources." % (verb, res)))
    variants += SCOPE_EXTRAS
    known = {v[0] for v in variants}
    for p, item in doc["paths"].items():
        for k, op in item.items():
            if k == "parameters":
                continue
            scope = op.get("x-perscom-scope")
            if scope is None and not op.get("x-perscom-scope-free"):
                raise SystemExit("operation %s has neither x-perscom-scope nor x-perscom-scope-free" % op["operationId"])
            if scope is not None and scope not in known:
                raise SystemExit("operation %s needs unknown scope %s" % (op["operationId"], scope))
    return [{"scope": s_, "name": name, "description": d} for s_, name, d in variants]


def spec_pairs(doc):
    out = set()
    for p, item in doc["paths"].items():
        for k in item:
            if k != "parameters":
                out.add((k, p))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--stdout", action="store_true")
    ap.add_argument("--routes")
    ap.add_argument("--prism-spec", metavar="PATH",
                    help="write the derived, cycle-free document for Prism to PATH (not committed)")
    a = ap.parse_args()
    with open(TABLE, encoding="utf-8") as f:
        table = yaml.safe_load(f)
    doc = Spec(table).build()
    doc["x-perscom-scopes"] = scope_catalogue(doc, table)
    text = render(doc)
    if a.prism_spec:
        with open(a.prism_spec, "w", encoding="utf-8") as f:
            f.write(render_prism(prism_doc(doc, table)))
        return 0
    if a.routes:
        routes = count_routes(a.routes)
        ours = spec_pairs(doc)
        # normalise optional params: /x/{y?} -> the spec uses /x (hasOne/belongsTo) or /x/{y}
        norm = set()
        for meth, p in routes:
            if p.endswith("?}"):
                head, _, last = p.rpartition("/")
                full = head + "/" + last.replace("?", "")
                norm.add((meth, full) if (meth, full) in ours else (meth, head))
            else:
                norm.add((meth, p))
        print("route list: %d method+path pairs" % len(routes))
        print("spec:       %d method+path pairs, %d operations" % (len(ours), len(ours)))
        print("missing from spec: %d" % len(norm - ours))
        for x in sorted(norm - ours):
            print("  -", x)
        print("in spec, not in route list: %d" % len(ours - norm))
        for x in sorted(ours - norm):
            print("  +", x)
    if a.check:
        try:
            with open(OUT, encoding="utf-8") as f:
                cur = f.read()
        except FileNotFoundError:
            cur = None
        if cur != text:
            print("openapi/perscom.yaml is stale: run python3 scripts/perscom_spec.py", file=sys.stderr)
            return 1
        return 0
    if a.stdout:
        sys.stdout.write(text)
    elif not a.routes:
        with open(OUT, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
