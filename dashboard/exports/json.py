"""JSON export: one array of finding objects, written row by row in constant memory."""

import json

# One encoder for every row: json.dumps with any option builds a new encoder per call.
encode = json.JSONEncoder(ensure_ascii=False).encode


def chunks(rows):
    """The JSON text of `rows` as an array, one object per piece (for streaming responses and files)."""
    count = 0
    yield "["
    for row in rows:
        yield (",\n" if count else "\n") + encode(row)
        count += 1
    yield "\n]\n" if count else "]\n"


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
    """chunks() for JSON object texts."""
    count = 0
    yield "["
    for text in objects:
        yield (",\n" if count else "\n") + text
        count += 1
    yield "\n]\n" if count else "]\n"


def write(rows, out):
    """Stream `rows` as a JSON array to the text stream `out`; returns the row count."""
    pieces = chunks(rows)
    out.write(next(pieces))
    count = -1
    for count, piece in enumerate(pieces):  # noqa: B007 - count is the result
        out.write(piece)
    return max(count, 0)
