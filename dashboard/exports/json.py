"""JSON export: one array of finding objects, written row by row in constant memory."""

import json


def write(rows, out):
    """Stream `rows` as a JSON array to the text stream `out`; returns the row count."""
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(row, ensure_ascii=False, sort_keys=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
