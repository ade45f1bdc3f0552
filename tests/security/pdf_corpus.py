"""Hostile files for the upload and PDF-extraction tests, built in memory at test time.

No binary sample is kept in git: each builder returns bytes, and the tests write them into
``tmp_path``. PDFs are written object by object (with a correct xref table unless the sample is
about a broken one), so every sample is exactly the attack it names and nothing else.

The decompression bombs are built without ever holding the inflated data: a deflate block made
from 16 MiB of zeros and closed with a full flush is byte-aligned and independent of what came
before, so a stream of N GiB is that block repeated 64 x N times (and the Adler-32 of n zero bytes
is known in closed form). LZW and RunLength bombs are computed code by code the same way.
"""

from __future__ import annotations

import io
import random
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

MiB = 1024 * 1024
GiB = 1024 * MiB

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
HELLO = b"BT /F1 12 Tf 72 720 Td (Hello from a plain PDF) Tj ET"


@dataclass(frozen=True)
class Sample:
    """One file of a corpus: what it is called, its bytes, and what it is by content."""

    name: str
    data: bytes
    filename: str = ""
    is_pdf: bool = True
    note: str = ""

    @property
    def upload_name(self) -> str:
        return self.filename or f"{self.name}.pdf"


# --- writing PDFs by hand ----------------------------------------------------------------------


def assemble(
    objects: list[bytes],
    *,
    root: int = 1,
    trailer: bytes = b"",
    header: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
) -> bytes:
    """A PDF whose object i+1 is ``objects[i]``, with a correct xref table and trailer."""
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\n" % (len(objects) + 1, root, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def stream(data: bytes, entries: bytes = b"") -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (entries, len(data)) + data + b"\nendstream"


def one_page(content: bytes, *, filters: bytes = b"", resources: bytes | None = None) -> bytes:
    """Catalog, page tree, one page, its content stream (with ``filters``) and a font."""
    entries = b"/Filter " + filters if filters else b""
    resources = resources if resources is not None else b"<< /Font << /F1 5 0 R >> >>"
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources "
            + resources
            + b" /Contents 4 0 R >>",
            stream(content, entries),
            FONT,
        ]
    )


def plain_pdf() -> bytes:
    return one_page(HELLO)


# --- compressed zeros, built without inflating them --------------------------------------------


def deflate_zeros(size: int) -> bytes:
    """A zlib stream that inflates to ``size`` zero bytes (``size`` a multiple of 16 MiB)."""
    block_size = 16 * MiB
    assert size % block_size == 0
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = raw.compress(bytes(block_size)) + raw.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty last block
    adler = ((size % 65521) << 16) | 1  # Adler-32 of n zero bytes: a = 1, b = n mod 65521
    return b"\x78\xda" + block * (size // block_size) + final + adler.to_bytes(4, "big")


class _BitWriter:
    def __init__(self) -> None:
        self.buffer, self.bits, self.out = 0, 0, bytearray()

    def put(self, code: int, width: int) -> None:
        self.buffer = (self.buffer << width) | code
        self.bits += width
        while self.bits >= 8:
            self.bits -= 8
            self.out.append((self.buffer >> self.bits) & 0xFF)
        self.buffer &= (1 << self.bits) - 1

    def done(self) -> bytes:
        if self.bits:
            self.out.append((self.buffer << (8 - self.bits)) & 0xFF)
        return bytes(self.out)


def lzw_zeros(size: int) -> bytes:
    """The LZWDecode stream (EarlyChange 1) a textbook encoder makes from ``size`` zero bytes.

    On a run of one byte value the encoder emits the longest run it knows (1, 2, 3, ... bytes)
    and learns one byte longer each time, so each code is computed directly.
    """
    clear, eod, first, last = 256, 257, 258, 4094
    bits = _BitWriter()
    bits.put(clear, 9)
    next_code, width, longest, remaining = first, 9, 1, size
    while True:
        if remaining <= longest:
            bits.put(0 if remaining == 1 else first + remaining - 2, width)
            break
        bits.put(0 if longest == 1 else first + longest - 2, width)
        remaining -= longest
        next_code += 1
        longest += 1
        if next_code >= (1 << width) and width < 12:
            width += 1
        if next_code >= last:
            bits.put(clear, width)
            next_code, width, longest = first, 9, 1
    bits.put(eod, width)
    return bits.done()


def run_length_zeros(size: int) -> bytes:
    """RunLengthDecode data for ``size`` zero bytes: 128-byte runs, two bytes each, then EOD."""
    full, rest = divmod(size, 128)
    out = b"\x81\x00" * full
    if rest:
        out += bytes([257 - rest, 0]) if rest > 1 else b"\x00\x00"
    return out + b"\x80"


# --- the T-20 parser denial-of-service corpus --------------------------------------------------


def _nested(depth: int, open_: bytes, close: bytes) -> bytes:
    return open_ * depth + close * depth


def _page_tree(fanout: int, depth: int) -> bytes:
    """fanout**depth pages from depth + 3 objects: every level lists the same child many times."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = 2 + level
        child = number + 1
        kids = b" ".join([b"%d 0 R" % child] * fanout)
        count = fanout ** (depth - level)
        parent = b"/Parent %d 0 R " % (number - 1) if level else b""
        objects.append(b"<< /Type /Pages %s/Kids [%s] /Count %d >>" % (parent, kids, count))
    page = 2 + depth
    objects.append(
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R >>"
        % (page - 1, page + 1)
    )
    objects.append(stream(b"BT ET"))
    return assemble(objects)


def _prev_loop() -> bytes:
    """Two xref sections whose trailers name each other as /Prev (pypdf #3654 class)."""
    base = plain_pdf()
    first_xref = int(base.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    body = base.rsplit(b"trailer", 1)[0]
    trailer_1 = b"trailer\n<< /Size 6 /Root 1 0 R /Prev %010d >>\n"
    second_xref = len(body) + len(trailer_1 % 0)
    out = body + trailer_1 % second_xref
    out += b"xref\n0 1\n0000000000 65535 f \n"
    out += b"trailer\n<< /Size 6 /Root 1 0 R /Prev %d >>\n" % first_xref
    out += b"startxref\n%d\n%%%%EOF\n" % second_xref
    return out


def _page_tree_cycle() -> bytes:
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            stream(b"BT ET"),
        ]
    )


def _encrypted() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain_pdf())))
    writer.encrypt(user_password="not-known-to-the-hub", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _one_page_with_resources(extra: bytes) -> bytes:
    return one_page(HELLO, resources=b"<< /Font << /F1 5 0 R >> /X " + extra + b" >>")


# name -> (builder, note). Sizes are of the inflated data; the files are 0.4 KB to 2 MB.
DOS_SAMPLES: dict[str, tuple[Callable[[], bytes], str]] = {
    "control-plain": (plain_pdf, "a normal one-page PDF: the harness works"),
    "flate-bomb-1GiB": (
        lambda: one_page(deflate_zeros(GiB), filters=b"/FlateDecode"),
        "1 GiB of zeros, zlib level 9",
    ),
    "flate-nested-4GiB": (
        lambda: one_page(
            zlib.compress(deflate_zeros(4 * GiB), 9), filters=b"[/FlateDecode /FlateDecode]"
        ),
        "4 GiB behind two Flate layers",
    ),
    "lzw-bomb-1GiB": (lambda: one_page(lzw_zeros(GiB), filters=b"/LZWDecode"), "1 GiB, LZW"),
    "runlength-bomb-128MiB": (
        lambda: one_page(run_length_zeros(128 * MiB), filters=b"/RunLengthDecode"),
        "128 MiB from 2 MiB: RunLength alone expands at most 64x",
    ),
    "flate+runlength-bomb-1GiB": (
        lambda: one_page(
            zlib.compress(run_length_zeros(GiB), 9), filters=b"[/FlateDecode /RunLengthDecode]"
        ),
        "1 GiB: RunLength data behind Flate",
    ),
    "nested-arrays-10k-content": (
        lambda: one_page(_nested(10_000, b"[", b"]") + b" TJ"),
        "10,000-deep array operand in the content stream",
    ),
    "nested-arrays-10k-object": (
        lambda: _one_page_with_resources(_nested(10_000, b"[", b"]")),
        "10,000-deep array in the page's resources",
    ),
    "nested-dicts-10k-object": (
        lambda: _one_page_with_resources(b"<< /A " * 10_000 + b"1 " + b">> " * 10_000),
        "10,000-deep dictionary in the page's resources",
    ),
    "page-tree-100k": (lambda: _page_tree(10, 5), "100,000 pages from 8 objects"),
    "page-tree-cycle": (_page_tree_cycle, "a /Pages node that lists itself"),
    "xref-prev-loop": (_prev_loop, "two xref sections naming each other as /Prev (pypdf #3654)"),
    "inline-image-without-EI": (
        lambda: one_page(b"BI /W 8 /H 8 /BPC 8 /CS /G ID " + bytes(range(256)) * 4),
        "CVE-2022-24859 class",
    ),
    "comment-at-end-of-stream": (
        lambda: one_page(b"BT /F1 12 Tf (x) Tj ET %" + b"c" * 1000),
        "CVE-2023-36464 class",
    ),
    "encrypted": (_encrypted, "RC4-128 with an unknown user password"),
    "truncated": (lambda: plain_pdf()[: len(plain_pdf()) // 2], "cut in half"),
    "garbage-after-header": (
        lambda: b"%PDF-1.7\n" + random.Random(20).randbytes(256 * 1024),
        "a PDF header, then 256 KB of noise",
    ),
}


def dos_sample(name: str) -> Sample:
    build, note = DOS_SAMPLES[name]
    return Sample(name, build(), note=note)


# --- the T-17 upload corpus --------------------------------------------------------------------


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.pdf", plain_pdf())
    return buffer.getvalue()


def _open_action_js() -> bytes:
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            stream(HELLO),
            FONT,
            b"<< /Type /Action /S /JavaScript /JS (app.alert\\('T-17 OpenAction'\\);) >>",
        ]
    )


HTML = b"<!doctype html><html><body><script>alert(document.domain)</script></body></html>\n"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>\n"
)


def upload_corpus() -> list[Sample]:
    """Files a focal point could try to attach; ``is_pdf`` says what the content really is."""
    pdf = plain_pdf()
    return [
        Sample("html-renamed", HTML, "report.pdf", is_pdf=False),
        Sample("svg-with-script", SVG, "chart.svg.pdf", is_pdf=False),
        Sample("exe", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(4096), "setup.pdf", is_pdf=False),
        Sample("zip", _zip(), "archive.pdf", is_pdf=False),
        Sample("empty", b"", "empty.pdf", is_pdf=False),
        Sample(
            "pdf-html-polyglot",
            pdf.replace(b"%\xe2\xe3\xcf\xd3\n", b"%" + HTML, 1),
            "polyglot.pdf",
            note="starts with %PDF-, carries <html><script>",
        ),
        Sample("pdf-openaction-js", _open_action_js(), "openaction.pdf"),
        Sample("name-dot-dot", pdf, "../../../../t17-escape.pdf"),
        Sample("name-nul", pdf, "t17-nul\x00.exe.pdf"),
        Sample("name-rtl-override", pdf, "t17-rtl-\u202efdp.exe"),
        Sample("name-300-chars", pdf, "t17-" + "a" * 292 + ".pdf"),
    ]


# --- driving the real upload route -------------------------------------------------------------


def upload(
    client: FlaskClient, doc_id: int, sample: Sample, *, token: str | None = None
) -> TestResponse:
    """POST ``sample`` to the workspace upload form, with the CSRF token from the document page."""
    from tests.web import csrf_token

    page = f"/workspace/documents/{doc_id}"
    return client.post(
        f"{page}/attachments",
        data={
            "csrf_token": token or csrf_token(client, page),
            "file": (io.BytesIO(sample.data), sample.upload_name),
        },
        content_type="multipart/form-data",
    )
