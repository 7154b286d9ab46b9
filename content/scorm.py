"""Checking and keeping a SCORM package (issue 17): a .zip a trainer uploads is checked
before anything is kept, then unpacked into the academy's default storage under the
package's `files_prefix`, and its row saved. A package that fails any check is refused
with one plain-English message naming the problem, and leaves nothing behind.

The checks, in order: the upload's size; that it is a zip; every entry's name (no
path traversal, absolute paths, drive letters, backslashes, duplicates), type (no
symbolic links or other special files), encryption and compression ratio; the number of
entries and their total unpacked size; then `imsmanifest.xml` at the package's root
(parsed with defusedxml: no entities, no external references) for a supported SCORM
version and a launchable SCO whose file is in the package. The unpacked sizes a zip
declares are enforced again while its entries are streamed out, so a zip that lies
about them is refused too. Limits are settings (SCORM_*, config/settings/base.py)."""

import logging
import posixpath
import re
import shutil
import stat
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from content.models import ScormPackage, ScormVersion

logger = logging.getLogger(__name__)

MANIFEST = "imsmanifest.xml"
FILES_ROOT = "scorm"  # every package's files are under FILES_ROOT/<uuid>/ (files_prefix)
CHUNK_BYTES = 64 * 1024
# A zip's directory entry is 46 bytes and the name (and any extra field or comment):
# generous room for long names, while a directory of millions of entries is refused.
DIRECTORY_BYTES_PER_ENTRY = 1024

# The manifest's <schemaversion>, as suppliers write it, and what the academy makes of
# it. "CAM 1.3" is what SCORM 2004 packages of the 2nd and 3rd editions say: the
# academy runs them as the 3rd edition (which is backward compatible with the 2nd).
SCHEMA_VERSIONS = {
    "1.2": ScormVersion.SCORM_12,
    "cam 1.3": ScormVersion.SCORM_2004_3,
    "2004 3rd edition": ScormVersion.SCORM_2004_3,
    "2004 4th edition": ScormVersion.SCORM_2004_4,
}
ADLCP_12_NAMESPACE = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
FILE_TYPES_ALLOWED = {0, stat.S_IFREG, stat.S_IFDIR}  # 0: the zip says nothing (DOS)


class ScormPackageRefused(Exception):
    """A package that cannot be used, with a message for the trainer who uploaded it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ScormLimits:
    """The most the academy accepts in one package (settings SCORM_*)."""

    upload_bytes: int
    unpacked_bytes: int
    entries: int
    compression_ratio: int
    ratio_floor_bytes: int
    manifest_bytes: int

    @classmethod
    def from_settings(cls) -> "ScormLimits":
        return cls(
            upload_bytes=settings.SCORM_MAX_UPLOAD_BYTES,
            unpacked_bytes=settings.SCORM_MAX_UNPACKED_BYTES,
            entries=settings.SCORM_MAX_ENTRIES,
            compression_ratio=settings.SCORM_MAX_COMPRESSION_RATIO,
            ratio_floor_bytes=settings.SCORM_COMPRESSION_RATIO_FLOOR_BYTES,
            manifest_bytes=settings.SCORM_MAX_MANIFEST_BYTES,
        )


@dataclass(frozen=True)
class ScormManifest:
    """What the academy reads from a checked manifest."""

    version: str
    identifier: str
    title: str
    launch_path: str


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _shown(name: str) -> str:
    """An entry's name as a message may show it: printable, and not too long."""
    printable = "".join(ch if ch.isprintable() else "?" for ch in name)
    return printable if len(printable) <= 80 else printable[:77] + "..."


def _check_name(name: str) -> str:
    """The entry's path, checked: relative, inside the package, with forward slashes."""
    shown = _shown(name)
    if "\\" in name:
        raise ScormPackageRefused(
            f"The file '{shown}' in the package has a backslash (\\) in its name. File "
            f"names in a package must use forward slashes (/).")
    if any(not ch.isprintable() for ch in name):
        raise ScormPackageRefused(
            f"The file '{shown}' in the package has a control character in its name.")
    if name.startswith("/") or DRIVE_LETTER.match(name):
        raise ScormPackageRefused(
            f"The file '{shown}' in the package has an absolute path. Every file must be "
            f"inside the package's own folders.")
    if ":" in name:
        raise ScormPackageRefused(
            f"The file '{shown}' in the package has a colon (:) in its name, which is "
            f"not allowed.")
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        raise ScormPackageRefused(
            f"The file '{shown}' in the package points outside the package (its name "
            f"contains '..'). The package may be damaged or unsafe.")
    if not name.rstrip("/") or any(part in ("", ".") for part in parts):
        raise ScormPackageRefused(f"The file '{shown}' in the package has an unusable name.")
    return name


def _check_entries(archive: zipfile.ZipFile, limits: ScormLimits) -> list[zipfile.ZipInfo]:
    """The zip's files (not its folders), each checked from the zip's directory."""
    entries = archive.infolist()
    if len(entries) > limits.entries:
        raise ScormPackageRefused(
            f"The package has {len(entries):,} files and folders. The most the academy "
            f"accepts is {limits.entries:,}.")
    seen: set[str] = set()
    files = []
    total = 0
    for info in entries:
        name = _check_name(info.filename)
        # "A.html" and "a.html", or an "é" written as one character or as two, are one
        # file on many disks.
        key = unicodedata.normalize("NFC", name.rstrip("/")).casefold()
        if key in seen:
            raise ScormPackageRefused(
                f"The package has the file '{_shown(name)}' more than once.")
        seen.add(key)
        file_type = stat.S_IFMT(info.external_attr >> 16)
        if file_type == stat.S_IFLNK:
            raise ScormPackageRefused(
                f"The file '{_shown(name)}' in the package is a symbolic link. Links are "
                f"not allowed: put the file itself in the package.")
        if file_type not in FILE_TYPES_ALLOWED:
            raise ScormPackageRefused(
                f"The file '{_shown(name)}' in the package is not an ordinary file.")
        if info.flag_bits & 0x1:
            raise ScormPackageRefused(
                f"The file '{_shown(name)}' in the package is protected by a password. "
                f"Upload a package without a password.")
        if info.is_dir():
            continue
        if (info.file_size > limits.ratio_floor_bytes
                and info.file_size > limits.compression_ratio * max(info.compress_size, 1)):
            raise ScormPackageRefused(
                f"The file '{_shown(name)}' in the package unpacks to "
                f"{_megabytes(info.file_size)} from {_megabytes(info.compress_size)}, more "
                f"than {limits.compression_ratio} times its packed size. The package may be "
                f"damaged or unsafe.")
        total += info.file_size
        if total > limits.unpacked_bytes:
            raise ScormPackageRefused(
                f"The package unpacks to more than {_megabytes(limits.unpacked_bytes)}, the "
                f"most the academy accepts.")
        files.append(info)
    return files


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element, name: str) -> list:
    return [child for child in element if _local(child.tag) == name]


def _attribute(element, name: str) -> str:
    """An attribute by its local name, in any namespace and any letter case (SCORM 1.2
    writes adlcp:scormtype, 2004 adlcp:scormType)."""
    for key, value in element.attrib.items():
        if _local(key).lower() == name.lower():
            return value.strip()
    return ""


def _schema_version(root) -> str:
    texts = [element.text.strip() for element in root.iter()
             if _local(element.tag) == "schemaversion" and element.text]
    if not texts:
        namespaces = {value for element in root.iter() for value in element.attrib} | {
            element.tag for element in root.iter()}
        if any(ADLCP_12_NAMESPACE in value for value in namespaces):
            return ScormVersion.SCORM_12  # older 1.2 packages often leave out the metadata
        raise ScormPackageRefused(
            "The package's imsmanifest.xml does not say which version of SCORM it uses "
            "(its <schemaversion> is missing). The academy runs SCORM 1.2 and SCORM 2004 "
            "3rd and 4th editions.")
    version = SCHEMA_VERSIONS.get(re.sub(r"\s+", " ", texts[0]).lower())
    if version is None:
        raise ScormPackageRefused(
            f"The package uses SCORM version '{_shown(texts[0])}', which the academy cannot "
            f"run. The academy runs SCORM 1.2 and SCORM 2004 3rd and 4th editions: ask the "
            f"supplier for the package in one of those.")
    return version


def _joined(*parts: str) -> str:
    """xml:base values and an href, joined and normalised to a path in the package."""
    path = ""
    for part in parts:
        if not part:
            continue
        part = unquote(urlsplit(part).path) if "?" in part or "#" in part else unquote(part)
        path = part if part.startswith("/") else posixpath.join(path, part)
    return posixpath.normpath(path) if path else ""


def _launch_path(root, files: set[str]) -> tuple[str, str]:
    """The organisation's title and the file its first SCO item launches."""
    resources_element = next(iter(_children(root, "resources")), None)
    resources = {}
    if resources_element is not None:
        for resource in _children(resources_element, "resource"):
            resources[_attribute(resource, "identifier")] = resource
    organisations = next(iter(_children(root, "organizations")), None)
    candidates = _children(organisations, "organization") if organisations is not None else []
    if not candidates:
        raise ScormPackageRefused(
            "The package's imsmanifest.xml has no organisation (<organization>), so there "
            "is nothing to launch.")
    default = _attribute(organisations, "default")
    candidates.sort(key=lambda org: _attribute(org, "identifier") != default)
    organisation = candidates[0]
    title_element = next(iter(_children(organisation, "title")), None)
    title = (title_element.text or "").strip() if title_element is not None else ""
    base = _joined(root.attrib.get(XML_BASE, ""),
                   "" if resources_element is None else resources_element.attrib.get(XML_BASE, ""))
    missing = []
    for item in organisation.iter():
        if _local(item.tag) != "item":
            continue
        resource = resources.get(_attribute(item, "identifierref"))
        if resource is None or _attribute(resource, "scormtype").lower() != "sco":
            continue
        href = _attribute(resource, "href")
        if not href:
            continue
        path = _joined(base, resource.attrib.get(XML_BASE, ""), href)
        if urlsplit(href).scheme or path.startswith("/") or path.split("/")[0] == "..":
            raise ScormPackageRefused(
                f"The package's launch file '{_shown(href)}' is outside the package.")
        if path in files:
            return title, path
        missing.append(path)
    if missing:
        raise ScormPackageRefused(
            f"The package's launch file '{_shown(missing[0])}' is not in the package. "
            f"Check with the supplier that the .zip is complete.")
    raise ScormPackageRefused(
        "The package's imsmanifest.xml has no item that launches a SCO (a resource with "
        "adlcp:scormType=\"sco\" and an href), so there is nothing to launch.")


def manifest_read(archive: zipfile.ZipFile, files: list[zipfile.ZipInfo], *,
                  limits: ScormLimits) -> ScormManifest:
    """Parse and check the package's imsmanifest.xml (at its root) with defusedxml."""
    by_name = {info.filename: info for info in files}
    info = by_name.get(MANIFEST)
    if info is None:
        nested = [name for name in by_name if PurePosixPath(name).name.lower() == MANIFEST]
        if nested:
            raise ScormPackageRefused(
                f"The package's imsmanifest.xml is in a folder ('{_shown(nested[0])}'), "
                f"not at the top of the .zip. Zip the package's contents, not the folder "
                f"they are in.")
        raise ScormPackageRefused(
            "The package has no imsmanifest.xml file, so it is not a SCORM package. Check "
            "you exported the course as SCORM 1.2 or SCORM 2004.")
    if info.file_size > limits.manifest_bytes:
        raise ScormPackageRefused(
            f"The package's imsmanifest.xml is larger than "
            f"{_megabytes(limits.manifest_bytes)}, the most the academy reads.")
    with archive.open(info) as manifest:
        data = manifest.read(limits.manifest_bytes + 1)
    try:
        root = SafeElementTree.fromstring(data)
    except DefusedXmlException:
        raise ScormPackageRefused(
            "The package's imsmanifest.xml declares XML entities or refers to other "
            "files, which the academy does not accept because they can be unsafe.") from None
    except SafeElementTree.ParseError as error:
        raise ScormPackageRefused(
            f"The package's imsmanifest.xml is not valid XML ({error}).") from None
    if _local(root.tag) != "manifest":
        raise ScormPackageRefused(
            "The package's imsmanifest.xml is not a SCORM manifest (it has no <manifest>).")
    version = _schema_version(root)
    title, launch = _launch_path(root, set(by_name))
    return ScormManifest(version=version, identifier=_attribute(root, "identifier")[:255],
                         title=title, launch_path=launch)


class _Limited:
    """An entry being unpacked, read in chunks, refused as soon as it gives more bytes
    than the zip declared (zipfile stops there itself; this does not rely on it)."""

    def __init__(self, stream, *, allowed: int, name: str):
        self.stream, self.allowed, self.name, self.read_bytes = stream, allowed, name, 0

    def read(self, size: int = CHUNK_BYTES) -> bytes:
        data = self.stream.read(size if size and size > 0 else CHUNK_BYTES)
        self.read_bytes += len(data)
        if self.read_bytes > self.allowed:
            raise ScormPackageRefused(
                f"The file '{_shown(self.name)}' in the package unpacks to more than the "
                f"package says. The package may be damaged or unsafe.")
        return data


def _files_remove(prefix: str, names: list[str]) -> None:
    """Delete what was written of a refused package (its files, then its folders)."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("scorm.cleanup_failed", extra={"file": name})
    try:
        folder = default_storage.path(prefix)
    except NotImplementedError:  # storage with no folders (object storage)
        return
    shutil.rmtree(folder, ignore_errors=True)


def _files_write(archive: zipfile.ZipFile, files: list[zipfile.ZipInfo], *, prefix: str,
                 written: list[str]) -> int:
    """Stream each entry into storage; returns the bytes written."""
    total = 0
    for info in files:
        target = prefix + info.filename
        written.append(target)  # before saving: a refusal part-way leaves part of a file
        with archive.open(info) as entry:
            reader = _Limited(entry, allowed=info.file_size, name=info.filename)
            try:
                saved = default_storage.save(target, File(reader, name=info.filename))
            except OSError as error:
                raise ScormPackageRefused(
                    f"The file '{_shown(info.filename)}' in the package could not be stored "
                    f"({error.strerror or error}).") from None
        if saved != target:
            written.append(saved)  # the storage renamed it: the package's links would break
            raise ScormPackageRefused(
                f"The file '{_shown(info.filename)}' could not be stored under its own name.")
        total += reader.read_bytes
    return total


def _check_directory_size(upload, limits: ScormLimits) -> None:
    """Refuse a zip whose directory lists too many entries before zipfile reads it all
    into memory (it reads the whole directory, whatever the count it declares)."""
    end_record = getattr(zipfile, "_EndRecData", None)  # CPython's own reader of the end
    if end_record is None:
        return
    try:
        record = end_record(upload)
    except OSError:
        record = None
    upload.seek(0)
    if not record:
        return  # not a zip: zipfile says so next
    entries, size = record[zipfile._ECD_ENTRIES_TOTAL], record[zipfile._ECD_SIZE]
    if entries > limits.entries:
        raise ScormPackageRefused(
            f"The package has {entries:,} files and folders. The most the academy accepts "
            f"is {limits.entries:,}.")
    if size > limits.entries * DIRECTORY_BYTES_PER_ENTRY:
        raise ScormPackageRefused(
            f"The package's list of files is {_megabytes(size)}, too long for the academy "
            f"to read. The package may be damaged or unsafe.")


def package_check(upload, *, limits: ScormLimits | None = None) -> tuple[
        zipfile.ZipFile, list[zipfile.ZipInfo], ScormManifest]:
    """Check an uploaded .zip without unpacking it: its size, its entries and its
    manifest. Returns the open archive, its files and the manifest's facts; raises
    ScormPackageRefused naming the first problem found."""
    limits = limits or ScormLimits.from_settings()
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > limits.upload_bytes:
        raise ScormPackageRefused(
            f"The file is {_megabytes(size)}. The most the academy accepts is "
            f"{_megabytes(limits.upload_bytes)}.")
    upload.seek(0)
    _check_directory_size(upload, limits)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ScormPackageRefused(
            "The file is not a .zip file, or it is damaged. Upload the SCORM package as "
            "the .zip file the supplier gave you.") from None
    try:
        files = _check_entries(archive, limits)
        manifest = manifest_read(archive, files, limits=limits)
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as error:
        archive.close()
        raise ScormPackageRefused(
            f"The .zip file is damaged or uses a kind of compression the academy cannot "
            f"read ({error}).") from None
    except BaseException:
        archive.close()
        raise
    return archive, files, manifest


def package_from_zip(upload, *, uploaded_by, title: str = "") -> ScormPackage:
    """Check a SCORM 1.2 or 2004 (3rd, 4th edition) .zip, unpack it into storage under a
    new package's `files_prefix` and save the package, in one go. Any problem raises
    ScormPackageRefused with a message for the trainer, and leaves no row and no file."""
    archive, files, manifest = package_check(upload)
    package = ScormPackage(
        title=(title.strip() or manifest.title or manifest.identifier
               or PurePosixPath(getattr(upload, "name", "") or "SCORM package").stem)[:255],
        version=manifest.version, identifier=manifest.identifier,
        launch_path=manifest.launch_path,
        original_filename=PurePosixPath(getattr(upload, "name", "") or "package.zip").name[:255],
        file_count=len(files), uploaded_by=uploaded_by,
    )
    package.files_prefix = f"{FILES_ROOT}/{package.uuid}/"
    written: list[str] = []
    try:
        with archive:
            package.size_bytes = _files_write(archive, files, prefix=package.files_prefix,
                                              written=written)
        with transaction.atomic():
            package.save()
    except ScormPackageRefused:
        _files_remove(package.files_prefix, written)
        raise
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as error:
        _files_remove(package.files_prefix, written)
        raise ScormPackageRefused(
            f"The .zip file is damaged: a file in it could not be unpacked ({error}).") from None
    except BaseException:
        _files_remove(package.files_prefix, written)
        raise
    logger.info("scorm.package_stored", extra={
        "package": package.pk, "version": package.version, "files": package.file_count,
        "bytes": package.size_bytes})
    return package


def _storage_files(folder: str) -> list[str]:
    """Every file below a folder in default storage, at any depth."""
    folders, files = default_storage.listdir(folder)
    found = [f"{folder}/{name}" for name in files]
    for child in folders:
        found += _storage_files(f"{folder}/{child}")
    return found


def package_files_orphaned_remove(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete the files of packages that were never saved: a folder FILES_ROOT/<uuid>/
    with no package row whose newest file is older than `older_than` (an upload being
    unpacked writes its files before its row, so newer folders are left alone). A
    refused upload cleans up after itself; this finds what a killed process (a web
    worker's timeout mid-upload) could not. Idempotent. Returns the folders removed."""
    try:
        folders, _ = default_storage.listdir(FILES_ROOT)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - older_than
    removed = 0
    for folder in folders:
        try:
            package_uuid = uuid.UUID(folder)
        except ValueError:
            continue  # not a package's folder: not ours to remove
        if ScormPackage.objects.filter(uuid=package_uuid).exists():
            continue
        prefix = f"{FILES_ROOT}/{folder}/"
        files = _storage_files(prefix.rstrip("/"))
        if any(default_storage.get_modified_time(name) > cutoff for name in files):
            continue
        _files_remove(prefix, files)
        removed += 1
        logger.warning("scorm.orphaned_files_removed", extra={"folder": prefix,
                                                               "files": len(files)})
    return removed
