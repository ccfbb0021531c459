"""pyHanko's check of the document time-stamps of a certified copy (PAdES B-LTA).

Usage: python3 document_timestamps.py ROOT_CERT COPY_PDF

For every document time-stamp: the token's imprint against the bytes it covers, its
signature, and the TSA's chain to ROOT_CERT with revocation required, the CRLs taken only
from the file's DSS (nothing is fetched). Prints one line per time-stamp; exits 1 when there
is none or one does not pass.
"""

import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_timestamp


def main(root_path: str, pdf_path: str) -> int:
    root = load_cert_from_pemder(root_path)
    with open(pdf_path, "rb") as handle:
        reader = PdfFileReader(handle)
        dss = DocumentSecurityStore.read_dss(reader)
        stamps = reader.embedded_timestamp_signatures
        if not stamps:
            print("no document time-stamp")
            return 1
        failures = 0
        for stamp in stamps:
            context = dss.as_validation_context(
                {
                    "trust_roots": [root],
                    "allow_fetching": False,
                    "revocation_mode": "require",
                }
            )
            status = validate_pdf_timestamp(stamp, validation_context=context)
            passed = status.intact and status.valid and status.trusted
            failures += 0 if passed else 1
            print(f"{stamp.field_name}: {'VALID' if passed else 'NOT VALID'} "
                  f"{status.summary()} at {status.timestamp.isoformat()} "
                  f"coverage {status.coverage.name}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
