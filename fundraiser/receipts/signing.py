"""Receipts that cannot be altered unnoticed (CRA, "Computer-generated receipts": protected
against modification or digitally signed, the charity keeping a copy).

Every receipt PDF is a PDF/A-3b document (WeasyPrint's `pdf_variant`, see render.py),
certified with the installation's certificate through pyHanko: a certification signature
whose DocMDP permission allows no change at all, so any later edit, even one byte, breaks it.
PDF/A forbids encryption, so the signature, not a password, is the protection.

The certificate and key are PEM files named by RECEIPT_SIGNING_CERT and RECEIPT_SIGNING_KEY.
Without them (development and tests only; production refuses to start), a self-signed
development certificate is made once under the instance folder.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from flask import current_app
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.general import get_pyca_cryptography_hash

SIGNATURE_FIELD = "ReceiptCertification"
DEVELOPMENT_FOLDER = "receipt-signing"


@dataclass(frozen=True)
class SigningFiles:
    cert: str
    key: str
    passphrase: str | None = None


# Room for the CMS signature in the PDF: a 2048- or 4096-bit RSA or an EC signature with its
# certificate fits with room to spare; giving it spares pyHanko a dry-run signature per receipt.
SIGNATURE_BYTES = 16_384


class ReceiptSigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, with the private key parsed once instead of at every signature
    (parsing an RSA key costs about 180 ms; signing with it about 2 ms)."""

    _parsed_key = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism not in ("rsassa_pkcs1v15", "ecdsa"):
            return super().sign_raw(data, digest_algorithm)
        if self._parsed_key is None:
            self._parsed_key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "ecdsa":
            return self._parsed_key.sign(data, ec.ECDSA(digest))
        return self._parsed_key.sign(data, padding.PKCS1v15(), digest)


_signers: dict[SigningFiles, ReceiptSigner] = {}
_lock = threading.Lock()


def signing_files() -> SigningFiles:
    """The configured certificate and key, or the development ones (made when missing)."""
    config = current_app.config
    if config.get("RECEIPT_SIGNING_CERT") and config.get("RECEIPT_SIGNING_KEY"):
        return SigningFiles(
            config["RECEIPT_SIGNING_CERT"],
            config["RECEIPT_SIGNING_KEY"],
            config.get("RECEIPT_SIGNING_KEY_PASSPHRASE") or None,
        )
    return development_certificate(Path(current_app.instance_path) / DEVELOPMENT_FOLDER)


def development_certificate(
    folder: Path, *, name: str = "Running Together development receipts"
) -> SigningFiles:
    """A self-signed certificate and its key in `folder`, made the first time (never for production)."""
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    if cert_path.is_file() and key_path.is_file():
        return SigningFiles(str(cert_path), str(key_path))
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return SigningFiles(str(cert_path), str(key_path))


def signer(files: SigningFiles) -> ReceiptSigner:
    """The process's signer for these files, loaded once."""
    with _lock:
        if files not in _signers:
            passphrase = files.passphrase.encode() if files.passphrase else None
            loaded = signers.SimpleSigner.load(files.key, files.cert, key_passphrase=passphrase)
            if loaded is None:
                raise RuntimeError(
                    f"Cannot load the receipt signing key {files.key} or certificate {files.cert}"
                )
            _signers[files] = ReceiptSigner(
                signing_cert=loaded.signing_cert,
                signing_key=loaded.signing_key,
                cert_registry=loaded.cert_registry,
            )
        return _signers[files]


def certify(pdf: bytes, files: SigningFiles, *, signed_for: str, location: str) -> bytes:
    """`pdf` with a certification signature that allows no further change."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES,
        reason=f"Receipt issued by {signed_for}"[:200],
        location=location[:200] or None,
        md_algorithm="sha256",
    )

    def sign() -> bytes:
        return signers.sign_pdf(
            writer, metadata, signer=signer(files), bytes_reserved=SIGNATURE_BYTES
        ).getvalue()

    return outside_event_loop(sign)


T = TypeVar("T")


def outside_event_loop(work: Callable[[], T]) -> T:
    """pyHanko's synchronous API runs its own asyncio loop, which cannot start inside a running
    one (an async server, or a thread where Playwright's sync API runs one): then sign on a
    short-lived thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="receipt-signing") as pool:
        return pool.submit(work).result()
