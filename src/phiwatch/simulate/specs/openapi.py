"""The organisation's published OpenAPI 3.0 document.

Covers a FHIR subset, portal auth, billing (``/v1`` marked ``deprecated: true``) and the
Provider Directory, each path with its own path-level ``servers`` (its host and base path).
The laboratory's internal API is deliberately absent (it is the shadow API). Parameter
names follow the spec author's taste (``{patientId}``, ``{invoiceId}``), not the ``{id}``
of the inventory. ``DELETE /v2/invoices/{invoiceId}``, ``POST /auth/logout``,
``GET /Organization`` and ``DELETE /bulkstatus/{jobId}`` are documented but never called.
"""

from __future__ import annotations

from phiwatch.simulate.world import World

Json = dict[str, object]


def _param(name: str, where: str = "path", desc: str = "") -> Json:
    p: Json = {"name": name, "in": where, "required": where == "path", "schema": {"type": "string"}}
    if desc:
        p["description"] = desc
    return p


def _op(
    summary: str,
    op_id: str,
    tag: str,
    *,
    params: list[Json] | None = None,
    deprecated: bool = False,
    responses: tuple[str, ...] = ("200",),
    security: str | None = "smart",
    body: str | None = None,
) -> Json:
    op: Json = {"tags": [tag], "summary": summary, "operationId": op_id}
    if deprecated:
        op["deprecated"] = True
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {"$ref": body}}}}
    resp: Json = {}
    for code in responses:
        resp[code] = (
            {"$ref": "#/components/responses/Error"} if code[0] in "45" else {"description": "Success"}
        )
    op["responses"] = resp
    if security is not None:
        op["security"] = [{security: []}]
    return op


def document(w: World) -> Json:
    fhir = [{"url": w.fhir_base, "description": "FHIR R4 (SMART on FHIR)"}]
    portal = [{"url": f"https://{w.portal_host}/api/v2", "description": "Patient portal"}]
    billing = [{"url": f"https://{w.billing_host}", "description": "Billing"}]
    directory = [{"url": f"https://{w.directory_host}", "description": "Provider Directory (public)"}]
    pid: Json = {"$ref": "#/components/parameters/PatientId"}
    iid: Json = {"$ref": "#/components/parameters/InvoiceId"}
    errs = ("200", "401", "404")
    paths: Json = {
        "/metadata": {
            "servers": fhir,
            "get": _op("CapabilityStatement", "fhirMetadata", "FHIR", security=None),
        },
        "/.well-known/smart-configuration": {
            "servers": fhir,
            "get": _op("SMART configuration", "smartConfiguration", "FHIR", security=None),
        },
        "/Patient/{patientId}": {
            "servers": fhir,
            "get": _op("Read a patient", "readPatient", "FHIR", params=[pid], responses=errs),
        },
        "/Patient/{patientId}/$everything": {
            "servers": fhir,
            "get": _op("A patient's record", "patientEverything", "FHIR", params=[pid], responses=errs),
        },
        "/bulkstatus/{jobId}": {
            "servers": fhir,
            "parameters": [_param("jobId", desc="Bulk export job")],
            "get": _op("Bulk export status", "bulkStatus", "FHIR", responses=("200", "202", "404")),
            "delete": _op("Cancel a bulk export", "bulkCancel", "FHIR", responses=("202", "404")),
        },
        "/auth/login": {
            "servers": portal,
            "post": _op(
                "Sign in",
                "login",
                "Auth",
                security=None,
                responses=("200", "401"),
                body="#/components/schemas/Credentials",
            ),
        },
        "/auth/refresh": {
            "servers": portal,
            "post": _op("Refresh a session", "refresh", "Auth", security=None, responses=("200", "401")),
        },
        "/auth/logout": {"servers": portal, "post": _op("Sign out", "logout", "Auth", security="bearer")},
        "/v1/invoices": {
            "servers": billing,
            "get": _op(
                "List invoices (v1)", "listInvoicesV1", "Billing v1", deprecated=True, security="apiKey"
            ),
        },
        "/v1/invoices/{invoiceId}": {
            "servers": billing,
            "get": _op(
                "Get an invoice (v1)",
                "getInvoiceV1",
                "Billing v1",
                params=[iid],
                deprecated=True,
                security="apiKey",
                responses=errs,
            ),
        },
        "/v2/invoices": {
            "servers": billing,
            "get": _op(
                "List invoices",
                "listInvoices",
                "Billing",
                security="apiKey",
                params=[_param("status", "query"), _param("updated_since", "query")],
            ),
        },
        "/v2/invoices/{invoiceId}": {
            "servers": billing,
            "parameters": [iid],
            "get": _op("Get an invoice", "getInvoice", "Billing", security="apiKey", responses=errs),
            "delete": _op(
                "Void an invoice", "voidInvoice", "Billing", security="apiKey", responses=("204", "404")
            ),
        },
        "/v2/invoices/{invoiceId}/pdf": {
            "servers": billing,
            "get": _op(
                "Invoice as PDF", "invoicePdf", "Billing", params=[iid], security="apiKey", responses=errs
            ),
        },
        "/v2/payments": {
            "servers": billing,
            "get": _op("List payments", "listPayments", "Billing", security="apiKey"),
            "post": _op(
                "Pay an invoice", "createPayment", "Billing", security="bearer", responses=("201", "400")
            ),
        },
        "/v2/accounts/{accountId}/statements": {
            "servers": billing,
            "get": _op(
                "Account statements",
                "accountStatements",
                "Billing",
                security="bearer",
                params=[_param("accountId")],
                responses=errs,
            ),
        },
        "/PractitionerRole": {
            "servers": directory,
            "get": _op(
                "Search practitioner roles",
                "searchRoles",
                "Directory",
                security=None,
                params=[_param("specialty", "query")],
            ),
        },
        "/Practitioner/{practitionerId}": {
            "servers": directory,
            "get": _op(
                "Read a practitioner",
                "readPractitioner",
                "Directory",
                security=None,
                params=[_param("practitionerId")],
                responses=("200", "404"),
            ),
        },
        "/Location": {
            "servers": directory,
            "get": _op(
                "Search locations",
                "searchLocations",
                "Directory",
                security=None,
                params=[_param("address-city", "query")],
            ),
        },
        "/Organization": {
            "servers": directory,
            "get": _op("Search organizations", "searchOrganizations", "Directory", security=None),
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"{w.org_name} APIs",
            "version": "2026.01",
            "description": "Published APIs: FHIR R4 (subset), patient portal, billing, provider directory.",
            "contact": {"name": "API team", "email": f"api-team@{w.slug}.example.org"},
        },
        "servers": fhir + portal + billing + directory,
        "paths": paths,
        "components": {
            "parameters": {
                "PatientId": _param("patientId", desc="FHIR logical id of the Patient"),
                "InvoiceId": _param("invoiceId", desc="Invoice number"),
            },
            "schemas": {
                "Credentials": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {
                        "username": {"type": "string"},
                        "password": {"type": "string", "format": "password"},
                    },
                },
                "Error": {
                    "type": "object",
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                },
            },
            "responses": {
                "Error": {
                    "description": "Error",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
            "securitySchemes": {
                "smart": {
                    "type": "oauth2",
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": f"{w.auth_issuer}/oauth2/authorize",
                            "tokenUrl": f"{w.auth_issuer}/oauth2/token",
                            "scopes": {
                                "patient/*.read": "Read the patient's data",
                                "user/*.cruds": "Clinician access",
                            },
                        }
                    },
                },
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }
