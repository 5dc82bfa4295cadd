"""Configuration checks that run before any job: one clear line per problem, no traceback.

The workflow's YAML files are validated against JSON schemas in ``workflow/schemas``
(defaults filled in), and every message names the offending key and what is allowed.
"""

from __future__ import annotations

import copy
import importlib
import math
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match

from . import IMPLEMENTED_PAPERS

TOP_SCHEMA = "config.schema.yaml"
_JSON_TYPES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "array": "a list",
    "object": "a mapping",
    "boolean": "true or false",
}


class ConfigError(ValueError):
    """A configuration problem, with a one-line message meant for the user."""


def _with_defaults(validator_class):
    """A validator that also writes schema ``default`` values into missing keys."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for key, sub in properties.items():
                if key not in instance and isinstance(sub, Mapping) and "default" in sub:
                    instance[key] = copy.deepcopy(sub["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return validators.extend(validator_class, {"properties": set_defaults})


_DefaultingValidator = _with_defaults(Draft202012Validator)


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file; a syntax error becomes a ConfigError naming the file, line and column."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as err:
        raise ConfigError(f"cannot read config file {path}: {err.strerror}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigError(f"malformed YAML in {path}{where}: {problem}") from None


def _key_path(error: ValidationError) -> str:
    parts: list[str] = []
    for item in error.absolute_path:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _allowed(schema: Mapping) -> str:
    if "enum" in schema:
        return "allowed: " + ", ".join(str(v) for v in schema["enum"])
    if "type" in schema:
        return "expected " + _JSON_TYPES.get(schema["type"], schema["type"])
    return ""


def _describe(error: ValidationError, where: str) -> str:
    """Turn a jsonschema error into one line: the key, the problem, what is allowed."""
    key = _key_path(error)
    if where and key != "(top level)":
        key = f"{where}.{key}" if not key.startswith("[") else f"{where}{key}"
    elif where:
        key = where
    v, schema, value = error.validator, error.schema, error.instance
    if v == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        # key=str: YAML keys may be numbers, and str < int comparisons raise.
        extra = sorted(set(value) - set(allowed), key=str) if isinstance(value, dict) else []
        unknown = ", ".join(repr(e) for e in extra)
        return f"{key}: unknown key {unknown} (allowed: {', '.join(allowed)})"
    if v == "required":
        return f"{key}: {error.message.split(' is a required')[0]} is required but missing"
    if v == "enum":
        return f"{key}: {value!r} is not allowed ({_allowed(schema)})"
    if v == "type":
        return f"{key}: got {value!r} ({type(value).__name__}), {_allowed(schema)}"
    if v == "exclusiveMinimum":
        return f"{key}: must be > {error.validator_value}, got {value!r}"
    if v == "minimum":
        return f"{key}: must be >= {error.validator_value}, got {value!r}"
    if v == "minItems":
        return f"{key}: must not be empty (at least {error.validator_value} item(s))"
    if v == "uniqueItems":
        return f"{key}: entries must be unique, got {value!r}"
    return f"{key}: {error.message}"


def _resolve(schema: Mapping, root: Mapping) -> Mapping:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        return {**_resolve(target, root), **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _coerce(value: Any, schema: Mapping, root: Mapping) -> Any:
    """Turn numeric text into numbers where the schema wants numbers.

    ``--config 'seeds=[3,4,5]'`` reaches the workflow as strings, and YAML 1.1 reads ``1e-5``
    (no dot) as text; both mean numbers.
    """
    schema = _resolve(schema, root)
    kind = schema.get("type")
    if isinstance(value, str) and kind in ("integer", "number"):
        try:
            number = float(value)
        except ValueError:
            return value
        if not math.isfinite(number):
            return value  # 'inf' / 'nan' stay text, so the type check names them
        if kind == "integer":
            return (
                int(number)
                if number.is_integer() and "." not in value and "e" not in value.lower()
                else value
            )
        return number
    if isinstance(value, float) and kind == "integer" and value.is_integer():
        # jsonschema accepts 1.0 as an integer; seeds and sizes end up in file names as ints.
        return int(value)
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        return [_coerce(v, schema["items"], root) for v in value]
    if isinstance(value, dict) and isinstance(schema.get("properties"), Mapping):
        props = schema["properties"]
        return {k: _coerce(v, props[k], root) if k in props else v for k, v in value.items()}
    return value


def _non_finite(value: Any, path: str = "") -> tuple[str, float] | None:
    """Key path and value of the first inf/nan number: YAML .inf / .nan pass every bound check."""
    if isinstance(value, float) and not math.isfinite(value):
        return path, value
    if isinstance(value, dict):
        items = [(f"{path}.{k}" if path else str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(f"{path}[{i}]", v) for i, v in enumerate(value)]
    else:
        return None
    for sub, v in items:
        found = _non_finite(v, sub)
        if found:
            return found
    return None


def _validate(instance: Any, schema: Mapping, where: str = "") -> Any:
    """Validate (filling defaults); return the instance with numeric text turned into numbers."""
    instance = _coerce(instance, schema, schema)
    validator = _DefaultingValidator(schema)
    error = best_match(validator.iter_errors(instance))
    if error is not None:
        # best_match may pick an error inside a failing $ref; the deepest one names the key best.
        while error.context:
            error = best_match(error.context)
        raise ConfigError(_describe(error, where))
    found = _non_finite(instance)
    if found:
        key = ".".join(p for p in (where, found[0]) if p).replace(".[", "[") or "(top level)"
        raise ConfigError(f"{key}: must be a finite number, got {found[1]!r}")
    return instance


def validate_config(config: Mapping, schema_dir: str | Path) -> dict:
    """Validate the whole config (top level, then every paper section); return it with defaults.

    Raises ConfigError with a single line naming the key and the allowed values.
    """
    schema_dir = Path(schema_dir)
    resolved = _validate(copy.deepcopy(dict(config)), load_yaml(schema_dir / TOP_SCHEMA))
    for paper in IMPLEMENTED_PAPERS:
        if paper in resolved:
            schema = load_yaml(schema_dir / f"{paper}.schema.yaml")
            resolved[paper] = _validate(resolved[paper], schema, paper)
        elif paper in resolved["papers"]:
            raise ConfigError(f"{paper}: section missing (expected in config/{paper}.yaml)")
    for paper in resolved["papers"]:
        _check_paper(paper, resolved)
    return resolved


def _check_paper(paper: str, config: Mapping) -> None:
    """Checks a schema cannot express, owned by the paper's module: ``check(section)``."""
    problems = importlib.import_module(f"{__package__}.papers.{paper}").check(config[paper])
    if problems:
        raise ConfigError(problems[0])


def check_files(paths: Iterable[str | Path]) -> None:
    """Parse the YAML files up front so a syntax error names its file and line."""
    for path in paths:
        if Path(path).exists():
            load_yaml(path)


def _exit(err: ConfigError) -> None:
    print(f"config error: {err}", file=sys.stderr)
    sys.exit(1)


def check_files_or_exit(paths: Iterable[str | Path]) -> None:
    """For the Snakefile: parse the YAML files or print one line and exit 1."""
    try:
        check_files(paths)
    except ConfigError as err:
        _exit(err)


def validate_or_exit(config: dict, schema_dir: str | Path) -> None:
    """For the Snakefile: validate in place (defaults filled) or print one line and exit 1."""
    try:
        resolved = validate_config(config, schema_dir)
    except ConfigError as err:
        _exit(err)
    config.clear()
    config.update(resolved)
