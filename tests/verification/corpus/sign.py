"""Signs test PDFs with pyHanko for the verification corpus (written by tests/corpus/mod.rs).

Usage: python3 sign.py jobs.json. Each job is {"op": "sign" | "xref_stream", ...}.
Fails loudly: a missing pyHanko must fail the tests, not skip them.
"""
import datetime
import json
import sys

import pikepdf
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.signers import pdf_signer as pdf_signer_module
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter

for job in json.load(open(sys.argv[1])):
    if job["op"] == "comment":
        # A reviewer's comment (a /Text annotation on page 1) added in an incremental update.
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.generic import pdf_name
        with open(job["in"], "rb") as source:
            writer = IncrementalPdfFileWriter(source)
            page = writer.root["/Pages"]["/Kids"][0].get_object()
            note = writer.add_object(generic.DictionaryObject({
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Text"),
                pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (10, 10, 30, 30)]),
                pdf_name("/Contents"): generic.TextStringObject("Đã xem"),
            }))
            annots = page.get("/Annots")
            if annots is None:
                page[pdf_name("/Annots")] = generic.ArrayObject([note])
            else:
                annots.get_object().append(note)
                if isinstance(page.raw_get("/Annots"), generic.IndirectObject):
                    writer.mark_update(page.raw_get("/Annots"))
            writer.update_container(page)
            with open(job["out"], "wb") as output:
                writer.write(output)
        continue
    if job["op"] == "doc_timestamp":
        # A document time-stamp (ISO 32000-2 12.8.5) from pyHanko's in-process TSA, nothing
        # added to the DSS.
        from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
        from pyhanko.sign.signers.pdf_signer import PdfTimeStamper, TimestampDSSContentSettings
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
        from pyhanko_certvalidator.registry import SimpleCertificateStore
        tsa = job["tsa"]
        stamper = DummyTimeStamper(
            tsa_cert=load_cert_from_pemder(tsa["cert"]),
            tsa_key=load_private_key_from_pemder(tsa["key"], passphrase=None),
            certs_to_embed=SimpleCertificateStore.from_certs([load_cert_from_pemder(c) for c in tsa["chain"]]),
        )
        with open(job["in"], "rb") as source:
            writer = IncrementalPdfFileWriter(source)
            with open(job["out"], "wb") as output:
                PdfTimeStamper(stamper, field_name=job["field"]).timestamp_pdf(
                    writer, "sha256", output=output,
                    dss_settings=TimestampDSSContentSettings(update_before_ts=False),
                )
        continue
    if job["op"] == "xref_stream":
        with pikepdf.open(job["in"]) as pdf:
            pdf.save(job["out"], object_stream_mode=pikepdf.ObjectStreamMode.generate)
        continue
    mechanism = None
    if job.get("pss_hash"):
        # RSASSA-PSS with explicit parameters: the hash, MGF1 over it, the salt length.
        from asn1crypto import algos
        mechanism = algos.SignedDigestAlgorithm({
            "algorithm": "rsassa_pss",
            "parameters": algos.RSASSAPSSParams({
                "hash_algorithm": {"algorithm": job["pss_hash"]},
                "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": job["pss_hash"]}},
                "salt_length": job["pss_salt"],
            }),
        })
    signer = signers.SimpleSigner.load(job["key"], job["cert"], ca_chain_files=tuple(job["chain"]), prefer_pss=job.get("pss", False), signature_mechanism=mechanism)
    if signer is None:
        raise SystemExit("cannot load signing key " + job["key"])
    meta = signers.PdfSignatureMetadata(
        field_name=job["field"],
        md_algorithm=job.get("digest", "sha256"),
        subfilter=SigSeedSubFilter.PADES if job["pades"] else SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
        certify=job.get("certify") is not None,
        docmdp_permissions=MDPPerm(job["certify"]) if job.get("certify") else MDPPerm.FILL_FORMS,
    )
    if job.get("ignore_docmdp"):
        # Simulates a non-compliant signer that ignores an earlier certification's DocMDP.
        from pyhanko.sign.signers.pdf_signer import PdfSigner
        PdfSigner._enforce_certification_constraints = lambda self, reader: None
    # A claimed signing time (/M and CMS signingTime) other than now, e.g. set back to when
    # an expired certificate was still valid.
    real_datetime = pdf_signer_module.datetime
    if job.get("signing_time"):
        claimed = datetime.datetime.fromisoformat(job["signing_time"])

        class ClaimedDatetime(datetime.datetime):
            @classmethod
            def now(cls, tz=None):
                return claimed.astimezone(tz) if tz is not None else claimed

        pdf_signer_module.datetime = ClaimedDatetime
    timestamper = None
    if job.get("tsa"):
        # pyHanko's in-process TSA, with its own key and certificate, at a fixed time if set.
        from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
        from pyhanko_certvalidator.registry import SimpleCertificateStore
        tsa = job["tsa"]
        timestamper = DummyTimeStamper(
            tsa_cert=load_cert_from_pemder(tsa["cert"]),
            tsa_key=load_private_key_from_pemder(tsa["key"], passphrase=None),
            certs_to_embed=SimpleCertificateStore.from_certs([load_cert_from_pemder(c) for c in tsa["chain"]]),
            fixed_dt=datetime.datetime.fromisoformat(tsa["time"]) if tsa.get("time") else None,
        )
    with open(job["in"], "rb") as source:
        writer = IncrementalPdfFileWriter(source)
        spec = SigFieldSpec(job["field"], on_page=0, box=tuple(job["box"]))
        with open(job["out"], "wb") as output:
            signers.sign_pdf(writer, meta, signer=signer, timestamper=timestamper, output=output, new_field_spec=spec)
    pdf_signer_module.datetime = real_datetime
