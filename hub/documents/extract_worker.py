"""Child-process entry point for ``extraction.extract_text``: prints one JSON object.

Run as a script (not ``-m hub...``) so the child imports only pypdf, not Flask and the Hub:
that is most of the cost of an extraction for small files.
"""

from __future__ import annotations

import json
import sys


def main(path: str, max_chars: int) -> int:
    from pypdf import PdfReader

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
            if total > max_chars:
                break
        print(json.dumps({"ok": True, "text": "\f".join(pages), "pages": len(reader.pages)}))
    except Exception as exc:  # any parser failure is a failed extraction, not a crash
        print(
            json.dumps({"ok": False, "error": f"the PDF could not be read ({type(exc).__name__})"})
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
