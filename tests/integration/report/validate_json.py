#!/usr/bin/python3
"""Validates JSON documents against a JSON Schema (python3-jsonschema).

usage: validate_json.py SCHEMA [--def NAME] [--lines] FILE...

--def NAME  validate against the schema's $defs/NAME (or definitions/NAME) instead of its root
--lines     each FILE holds one JSON document per line (JSON Lines)

Exit status: 0 when every document is valid, 1 when one is not, 2 on usage or I/O errors.
"""
import json
import sys

import jsonschema


def main(argv):
    args = argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    schema_path, files, definition, lines = args[0], [], None, False
    i = 1
    while i < len(args):
        if args[i] == "--def" and i + 1 < len(args):
            definition = args[i + 1]
            i += 2
        elif args[i] == "--lines":
            lines = True
            i += 1
        else:
            files.append(args[i])
            i += 1
    if not files:
        print("validate_json.py: no document given", file=sys.stderr)
        return 2
    try:
        with open(schema_path, encoding="utf-8") as f:
            schema = json.load(f)
    except (OSError, ValueError) as e:
        print(f"validate_json.py: {schema_path}: {e}", file=sys.stderr)
        return 2
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    if definition is not None:
        key = "$defs" if "$defs" in schema else "definitions"
        root = {key: schema[key], "$ref": f"#/{key}/{definition}"}
        if "$schema" in schema:
            root["$schema"] = schema["$schema"]
        schema = root
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)

    failed = False
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            print(f"validate_json.py: {path}: {e}", file=sys.stderr)
            return 2
        documents = []
        try:
            if lines:
                documents = [(n + 1, json.loads(line)) for n, line in enumerate(text.splitlines())]
            else:
                documents = [(None, json.loads(text))]
        except ValueError as e:
            print(f"{path}: not JSON: {e}")
            failed = True
            continue
        for line, document in documents:
            where = path if line is None else f"{path}:{line}"
            for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
                pointer = "/".join(str(p) for p in error.absolute_path)
                print(f"{where}: /{pointer}: {error.message}")
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
