"""Stripe's form encoding (``line_items[0][price]=…``) decoded, and checked against the
parameters each endpoint accepts: anything else is refused as Stripe refuses it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

MAP = "map"  # metadata: any string keys, string values (Stripe: 50 keys, 40/500 chars)


class ParamError(Exception):
    def __init__(self, message: str, param: str = "", code: str = "parameter_unknown") -> None:
        super().__init__(message)
        self.message, self.param, self.code = message, param, code


_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def decode(body: bytes) -> dict[str, Any]:
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        raise ParamError("Invalid request body: expected form-encoded parameters.", "",
                         "parameter_invalid_string") from None
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if match is None:
            raise ParamError(f"Invalid parameter name: {key}", key, "parameter_invalid_string")
        parts = [match[1], *re.findall(r"\[([^\[\]]*)\]", match[2])]
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":  # expand[] = append
                part = str(sum(1 for k in node if k.isdigit()))
            if last:
                if part in node:
                    raise ParamError(f"Duplicate parameter: {key}", key, "parameter_duplicate")
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise ParamError(f"Invalid parameter: {key}", key, "parameter_invalid")
                node = child
    return _lists(root)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    node = {k: _lists(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node):
        indexes = sorted(int(k) for k in node)
        if indexes != list(range(len(indexes))):
            raise ParamError("Array indexes must start at 0 and be contiguous.", "",
                             "parameter_invalid")
        return [node[str(i)] for i in indexes]
    return node


def check(params: dict[str, Any], schema: dict[str, Any], required: tuple[str, ...] = (),
          prefix: str = "") -> dict[str, Any]:
    """Validate and convert (ints, booleans); unknown or malformed parameters raise."""
    out: dict[str, Any] = {}
    for name in required:
        if name not in params:
            raise ParamError(f"Missing required param: {name}.", name, "parameter_missing")
    for name, value in params.items():
        path = f"{prefix}[{name}]" if prefix else name
        if name not in schema:
            raise ParamError(f"Received unknown parameter: {path}", path)
        out[name] = _convert(value, schema[name], path)
    return out


def _convert(value: Any, kind: Any, path: str) -> Any:
    if kind is str:
        if not isinstance(value, str):
            raise ParamError(f"Invalid string: {path}", path, "parameter_invalid_string")
        if len(value) > 5000:
            raise ParamError(f"{path} is too long.", path, "parameter_invalid_string")
        return value
    if kind is int:
        if not isinstance(value, str) or not re.fullmatch(r"-?\d{1,15}", value):
            raise ParamError(f"Invalid integer: {value!r}", path, "parameter_invalid_integer")
        return int(value)
    if kind is bool:
        if value not in ("true", "false"):
            raise ParamError(f"Invalid boolean: {value!r}", path, "parameter_invalid_boolean")
        return value == "true"
    if kind == MAP:
        if value == "":
            return {}
        if not isinstance(value, dict) or len(value) > 50 or not all(
                isinstance(v, str) and len(k) <= 40 and len(v) <= 500 for k, v in value.items()):
            raise ParamError(f"Invalid metadata: {path}", path, "parameter_invalid")
        return value
    if isinstance(kind, list):
        if not isinstance(value, list):
            raise ParamError(f"Invalid array: {path}", path, "parameter_invalid")
        return [_convert(v, kind[0], f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(kind, tuple):  # one of fixed strings
        if value not in kind:
            raise ParamError(f"Invalid {path}: must be one of {', '.join(kind)}", path,
                             "parameter_invalid")
        return value
    if isinstance(kind, dict):
        if not isinstance(value, dict):
            raise ParamError(f"Invalid hash: {path}", path, "parameter_invalid")
        return check(value, kind, prefix=path)
    raise AssertionError(kind)


EXPAND = [str]
CUSTOMER_CREATE = {"email": str, "name": str, "description": str, "metadata": MAP,
                   "expand": EXPAND}
CHECKOUT_CREATE = {
    "mode": ("payment", "setup", "subscription"), "customer": str, "customer_email": str,
    "client_reference_id": str, "line_items": [{"price": str, "quantity": int}],
    "success_url": str, "cancel_url": str, "metadata": MAP,
    "subscription_data": {"metadata": MAP, "description": str},
    "allow_promotion_codes": bool, "expand": EXPAND,
}
PORTAL_CREATE = {"customer": str, "return_url": str, "configuration": str, "locale": str,
                 "expand": EXPAND}
SUBSCRIPTION_UPDATE = {"cancel_at_period_end": bool, "metadata": MAP,
                       "items": [{"id": str, "price": str, "quantity": int}],
                       "proration_behavior": ("always_invoice", "create_prorations", "none"),
                       "expand": EXPAND}
SUBSCRIPTION_CANCEL = {"invoice_now": bool, "prorate": bool,
                       "cancellation_details": {"comment": str}, "expand": EXPAND}
RETRIEVE = {"expand": EXPAND}
EVENTS_LIST = {"limit": int, "type": str, "starting_after": str, "ending_before": str}
