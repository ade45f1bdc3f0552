"""Child-process entry point for ``extraction.extract_text``: prints one JSON object."""

from __future__ import annotations

import json
import sys


def main(path: str) -> int:
    from pypdf import PdfReader

    from hub.documents.extraction import MAX_TEXT_CHARS

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            print(json.dumps({"ok": False, "error": "the PDF is encrypted"}))
            return 0
        pages, total = [], 0
        for page in reader.pages:
            text = page.extract_text() or ""
            pages.append(text.replace("\f", " "))
            total += len(text)
            if total > MAX_TEXT_CHARS:
                break
        print(json.dumps({"ok": True, "text": "\f".join(pages), "pages": len(reader.pages)}))
    except Exception as exc:  # any parser failure is a failed extraction, not a crash
        print(
            json.dumps({"ok": False, "error": f"the PDF could not be read ({type(exc).__name__})"})
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
