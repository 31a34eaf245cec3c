"""Evidence packs: a ZIP of the report and its data, with a manifest of SHA-256 hashes, signed.

Members are streamed into the ZIP and hashed as they are written, so a pack of a large estate is
built in constant memory (the PDF, capped per section, is the one member held whole).
"""

import hashlib
import io
import json
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils import timezone

from checks.catalog import CATALOG
from dashboard import compliance
from dashboard.exports import csv as csv_export
from dashboard.exports import json as json_export
from dashboard.exports import pdf, signing

FORMAT = "posture-evidence-pack/1"
# What reading a damaged member raises: a failed CRC, a broken deflate stream, a truncated file.
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError)
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
# A pack to verify is an untrusted file: verify() reads no more than these (sizes as they decompress).
MAX_MEMBERS = 1000  # a Posture pack holds eight
MAX_MANIFEST_BYTES = 1 << 20  # a manifest lists a handful of files
MAX_SIGNATURE_BYTES = 4096
MAX_MEMBER_BYTES = 4 << 30  # findings.json of millions of findings stays far below
DESCRIPTIONS = {
    "report.pdf": "The audit report (PDF) of the scope as of the date.",
    "findings.csv": "Every finding in scope as of the date (CSV, UTF-8 with BOM, formula-neutralised).",
    "findings.json": "The same findings as findings.csv, as a JSON array (schema in the README).",
    "resources.json": "Every resource of the scoped accounts that existed on the date, with its collected evidence.",
    "compliance.json": "Each requirement of the compliance framework(s) with the checks behind it and its status "
    "in every account in scope as of the date (see the README's Compliance section for the rollup).",
    "catalog.json": "The check catalog: every check's id, title, area, severity, rationale and remediation.",
}
EVIDENCE_NOTE = (
    "resources.json lists the resources that existed on the as-of date (first seen by then and not yet gone). "
    "Their evidence is the latest Posture collected, which may postdate the as-of date: Posture keeps the history "
    "of findings (their events), not past versions of evidence."
)


class _HashingSink(io.RawIOBase):
    """A binary stream that hashes and counts what passes through it on the way into the ZIP member."""

    def __init__(self, target):
        self.target, self.sha256, self.size = target, hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, data):
        self.sha256.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)


def _write_member(pack, name, write_text=None, data=None):
    """Write one member (text through `write_text(stream)`, or bytes); returns its manifest entry."""
    info = zipfile.ZipInfo(name, date_time=timezone.now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    with pack.open(info, "w", force_zip64=True) as member:
        sink = _HashingSink(member)
        if data is not None:
            sink.write(data)
        else:
            text = io.TextIOWrapper(io.BufferedWriter(sink, 1 << 16), encoding="utf-8", newline="")
            write_text(text)
            text.flush()
            text.detach().detach()  # keep the ZIP member open for the `with` to close
    return {"name": name, "sha256": sink.sha256.hexdigest(), "bytes": sink.size, "description": DESCRIPTIONS[name]}


def resource_rows(resources):
    for resource in resources.iterator(chunk_size=1000):
        yield {
            "account_id": resource.account.account_id,
            "account_name": resource.account.name,
            "uid": resource.uid,
            "type": resource.type,
            "region": resource.region,
            "name": resource.name,
            "key_owner": resource.key_owner,
            "kms_key_arn": resource.kms_key_arn,
            "tags": resource.tags,
            "evidence": resource.evidence,
            "first_seen": resource.first_seen.isoformat(),
            "last_seen": resource.last_seen.isoformat(),
            "gone_at": resource.gone_at.isoformat() if resource.gone_at else None,
        }


def catalog_json(out):
    json.dump([CATALOG[check_id].as_dict() for check_id in sorted(CATALOG)], out, indent=2, ensure_ascii=False)
    out.write("\n")


def manifest_bytes(manifest):
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


CONFIGURED = object()  # build()'s default signer: whatever the settings configure


def build(scope, path, generated_by, progress=None, signer=CONFIGURED):
    """Write the evidence pack of `scope` to `path`; returns the manifest (a dict). signer=None: unsigned."""
    signer = signing.configured_signer() if signer is CONFIGURED else signer
    # One fixed moment for every member, so a scan recorded mid-build cannot make the files disagree.
    scope = scope if scope.is_historical else replace(scope, as_of=scope.generated_at)
    progress = progress or (lambda *args, **kwargs: None)
    counts = {}

    def findings_csv(out):
        counts["findings"] = csv_export.write_records(scope.csv_rows(), out)

    def findings_json(out):
        json_export.write_objects(scope.json_objects(), out)

    def compliance_json(out):
        json.dump(compliance.report(scope), out, indent=2, ensure_ascii=False)
        out.write("\n")

    def resources_json(out):
        counts["resources"] = json_export.write(resource_rows(scope.resources()), out)

    steps = [
        ("findings.csv", findings_csv),
        ("findings.json", findings_json),
        ("resources.json", resources_json),
        ("catalog.json", catalog_json),
        ("compliance.json", compliance_json),
        ("report.pdf", None),
    ]
    files = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        for done, (name, writer) in enumerate(steps):
            progress(f"writing {name}", done, len(steps) + 1)
            if writer is None:
                files.append(_write_member(pack, name, data=pdf.render(scope, generated_by)))
            else:
                files.append(_write_member(pack, name, write_text=writer))
        progress("signing the manifest", len(steps), len(steps) + 1)
        manifest = make_manifest(scope, generated_by, files, counts, signer)
        data = manifest_bytes(manifest)
        pack.writestr(MANIFEST, data)
        if signer is not None:
            pack.writestr(SIGNATURE, signer.sign(data))
    return manifest


def make_manifest(scope, generated_by, files, counts, signer):
    return {
        "format": FORMAT,
        "posture_version": settings.POSTURE_VERSION,
        "generated_at": timezone.now().isoformat(),
        "generated_by": generated_by,
        "as_of": scope.at.isoformat(),
        "as_of_date": scope.at.date().isoformat(),
        "scope": scope.describe(),
        "counts": {**counts, "checks": len(CATALOG)},
        "files": files,
        "evidence_note": EVIDENCE_NOTE,
        "signature": {
            "algorithm": signer.algorithm if signer else signing.UNSIGNED,
            "file": SIGNATURE if signer else None,
            "signed_bytes": MANIFEST,
            "key_id": signer.key_id if signer else "",
        },
    }


# --- verification ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str
    signed: bool = True


def _fail(message):
    return Verdict(False, message)


def verify(path, public_key=None, hmac_key=None, allow_unsigned=False):
    """Check a pack: the manifest's signature, then every listed file's SHA-256, then that nothing is
    missing or extra. The first problem found is the verdict."""
    try:
        pack = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        return _fail(f"{path} is not a readable ZIP file ({error}).")
    with pack:
        names = pack.namelist()
        problem = _check_names(names)
        if problem:
            return _fail(problem)
        data, problem = _read(pack, MANIFEST, MAX_MANIFEST_BYTES)
        if problem:
            return _fail(problem)
        try:
            manifest = json.loads(data)
            listed = [(entry["name"], entry["sha256"]) for entry in manifest["files"]]
            algorithm = manifest["signature"]["algorithm"]
        except (ValueError, KeyError, TypeError):
            return _fail(f"{MANIFEST}: not a Posture evidence manifest.")
        verdict = _check_signature(pack, names, data, algorithm, public_key, hmac_key, allow_unsigned)
        if verdict is not None and not verdict.ok:
            return verdict
        problem = _check_files(pack, names, listed, signed=algorithm != signing.UNSIGNED)
        if problem:
            return _fail(problem)
    if algorithm == signing.UNSIGNED:
        return Verdict(
            True,
            f"verified (UNSIGNED: {len(listed)} files match the manifest, but nothing proves who made it)",
            signed=False,
        )
    return Verdict(True, f"verified: {len(listed)} files match the manifest, {algorithm} signature valid")


def _check_names(names):
    """The first problem with the pack's list of members: too many, a name twice, no manifest (linear)."""
    if len(names) > MAX_MEMBERS:
        return f"the pack holds {len(names):,} files, more than the {MAX_MEMBERS:,} a Posture pack may hold."
    duplicates = sorted(name for name, count in Counter(names).items() if count > 1)
    if duplicates:
        return f"{duplicates[0]}: appears more than once in the pack."
    if MANIFEST not in set(names):
        return f"{MANIFEST}: missing from the pack."
    return None


def _too_large(name, size, limit):
    return f"{name}: {size:,} bytes, more than the {limit:,} a pack's member may hold." if size > limit else None


def _read(pack, name, limit):
    """A small member whole, refused past `limit` (its declared size, and what it really inflates to)."""
    problem = _too_large(name, pack.getinfo(name).file_size, limit)
    if problem:
        return None, problem
    try:
        with pack.open(name) as member:
            data = member.read(limit + 1)
    except READ_ERRORS as error:
        return None, f"{name}: cannot be read ({error})."
    return (None, _too_large(name, len(data), limit)) if len(data) > limit else (data, None)


def _check_signature(pack, names, data, algorithm, public_key, hmac_key, allow_unsigned):
    if algorithm == signing.UNSIGNED:
        if allow_unsigned:
            return None
        return Verdict(
            False,
            "manifest.json: the pack is UNSIGNED (no signing key was configured when it was "
            "built); pass --allow-unsigned to check its hashes anyway.",
            signed=False,
        )
    if SIGNATURE not in names:
        return _fail(f"{SIGNATURE}: missing from the pack.")
    signature, problem = _read(pack, SIGNATURE, MAX_SIGNATURE_BYTES)
    if problem:
        return _fail(problem)
    if algorithm == signing.ED25519:
        if public_key is None:
            return _fail(f"{SIGNATURE}: the pack is signed with Ed25519; give the public key (--public-key FILE).")
        valid = signing.verify_ed25519(public_key, data, signature)
    elif algorithm == signing.HMAC_SHA256:
        if hmac_key is None:
            return _fail(f"{SIGNATURE}: the pack is signed with HMAC-SHA256; give the key (--hmac-key-env VAR).")
        valid = signing.verify_hmac(hmac_key, data, signature)
    else:
        return _fail(f"{MANIFEST}: unknown signature algorithm {algorithm!r}.")
    if not valid:
        return _fail(
            f"{SIGNATURE}: the signature does not match manifest.json (either was changed, or it "
            "was signed with another key)."
        )
    return Verdict(True, "signature valid")


def _check_files(pack, names, listed, signed):
    expected = {name for name, _ in listed} | {MANIFEST} | ({SIGNATURE} if signed else set())
    present = set(names)
    for name, sha256 in listed:
        if name not in present:
            return f"{name}: listed in the manifest but missing from the pack."
        digest, problem = _sha256(pack, name)
        if problem:
            return problem
        if digest != sha256:
            return f"{name}: SHA-256 {digest} does not match the manifest ({sha256})."
    extra = [name for name in names if name not in expected]
    if extra:
        return f"{extra[0]}: in the pack but not listed in the manifest."
    return None


def _sha256(pack, name):
    """The member's SHA-256, read in blocks, and refused past MAX_MEMBER_BYTES."""
    problem = _too_large(name, pack.getinfo(name).file_size, MAX_MEMBER_BYTES)
    if problem:
        return None, problem
    digest, size = hashlib.sha256(), 0
    try:
        with pack.open(name) as member:
            for block in iter(lambda: member.read(1 << 16), b""):
                size += len(block)
                if size > MAX_MEMBER_BYTES:
                    return None, _too_large(name, size, MAX_MEMBER_BYTES)
                digest.update(block)
    except READ_ERRORS as error:
        return None, f"{name}: cannot be read ({error})."
    return digest.hexdigest(), None
