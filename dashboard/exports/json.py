"""JSON export: one array of finding objects, written row by row in constant memory."""

import json

# One encoder for every row: json.dumps with any option builds a new encoder per call.
encode = json.JSONEncoder(ensure_ascii=False).encode


def write_objects(objects, out):
    """Write JSON object texts (rows.iter_json_objects) as one array to `out`; returns the count. The
    same text write() produces from the same rows."""
    out.write("[")
    count = 0
    for count, text in enumerate(objects, start=1):
        out.write(",\n" if count > 1 else "\n")
        out.write(text)
    out.write("\n]\n" if count else "]\n")
    return count


def object_chunks(objects):
    """The same array as write_objects, piece by piece (for streaming responses)."""
    count = 0
    yield "["
    for text in objects:
        yield (",\n" if count else "\n") + text
        count += 1
    yield "\n]\n" if count else "]\n"


def write(rows, out):
    """Stream `rows` (dicts) as a JSON array to the text stream `out`; returns the row count."""
    return write_objects(map(encode, rows), out)
