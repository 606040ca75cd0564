"""KMZ files: a ZIP archive holding a KML document (``doc.kml``, else the first ``.kml``),
plus the icons and images it uses, which are not read.

``kml_from_kmz`` takes out the KML's bytes for ``ogr`` to read as KML; it never writes to
disk and unpacks at most ``MAX_KML_BYTES``, so a small archive that unzips to gigabytes (a
"zip bomb") is refused instead of filling memory. Every failure is a one-line ``DataError``.
"""

from __future__ import annotations

import io
import zipfile

from ..schema import DataError
from .text import first_line

ZIP_MAGIC = b"PK\x03\x04"
#: The most a KMZ's KML may unzip to (200 MB); a real incident KML is a few MB at most.
MAX_KML_BYTES = 200 * 1024 * 1024


def kml_member(names: list[str]) -> str | None:
    """The archive member to read: ``doc.kml`` at the top, else the first ``.kml``, else None."""
    kmls = [n for n in names if n.lower().endswith(".kml") and not n.endswith("/")]
    return next((n for n in kmls if n.lower() == "doc.kml"), kmls[0] if kmls else None)


def holds_kml(raw: bytes) -> bool:
    """Whether ``raw`` is a readable ZIP archive with a ``.kml`` member (for format detection)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return kml_member(archive.namelist()) is not None
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def kml_from_kmz(raw: bytes, name: str, warn: list[str], limit: int = MAX_KML_BYTES) -> bytes:
    """The KML document inside a KMZ; ``DataError`` for a corrupt archive, no KML or too big."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            member = kml_member(archive.namelist())
            if member is None:
                raise DataError(f"{name}: is a ZIP archive without a KML document (.kml) in it; "
                                "not a KMZ")
            others = [n for n in archive.namelist()
                      if n != member and n.lower().endswith(".kml")]
            if others:
                warn.append(f"read {member} from the KMZ; other KML files in it ignored: "
                            f"{', '.join(others)}")
            # The size in the archive's directory can lie; count what is really unpacked.
            with archive.open(member) as stream:
                data = stream.read(limit + 1)
    except DataError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise DataError(f"{name}: is not a readable ZIP archive (KMZ) ({first_line(exc)})"
                        ) from None
    except (RuntimeError, NotImplementedError) as exc:   # encrypted, or an odd compression
        raise DataError(f"{name}: the KMZ cannot be unpacked ({first_line(exc)})") from None
    if len(data) > limit:
        raise DataError(f"{name}: {member} unzips to more than {limit // 2**20} MB, the limit "
                        "for a KMZ's KML (a guard against zip bombs); not read")
    return data
