"""Microsoft Presidio's structured analyzer on the evaluation tables, offline, for comparison.

Presidio's default NLP engine needs a spaCy model download; here it runs with the ``no_op`` NLP engine
(shipped in presidio-analyzer ≥ 2.2.366), so only its pattern, checksum and phonenumbers recognizers fire,
as in ``shared/research/presidio_bench/engines.py``. Two configurations:

- ``stock``: the default English registry, as installed.
- ``configured``: the same plus what Presidio itself ships but does not switch on for English: its Korean
  RRN and passport recognizers registered for ``en``, and its phone recognizer with the CN and KR regions.
  (Presidio has no recognizer for Chinese resident IDs; none is written here.)

Each table is given to ``PandasAnalysisBuilder.generate_analysis`` (default ``most_common`` strategy) as a
sample of its rows with every value as text (Presidio's analyzer only takes primitive values). Its entity
names are mapped onto ringfence's vocabulary by :data:`ENTITY_MAP`; anything unmapped still counts as a
flag (a decoy it labels ``UUID`` or ``US_DRIVER_LICENSE`` is a false positive).
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Mapping
from typing import Any

import polars as pl

from bench.scan_eval.evaluate import FREE_TEXT, Prediction

ENTITY_MAP: dict[str, str] = {
    "CREDIT_CARD": "PAYMENT_CARD",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP_ADDRESS",
    "KR_RRN": "KR_RRN",
    "KR_PASSPORT": "PASSPORT_NUMBER",
    "US_PASSPORT": "PASSPORT_NUMBER",
    "UK_PASSPORT": "PASSPORT_NUMBER",
    "PERSON": "PERSON_NAME",
    "LOCATION": "POSTAL_ADDRESS",
    "DATE_TIME": "DATE_OF_BIRTH",
    "US_BANK_NUMBER": "BANK_ACCOUNT",
}
CONFIGS = ("stock", "configured")


def available() -> bool:
    """Whether presidio-analyzer and presidio-structured are importable."""
    return all(importlib.util.find_spec(m) is not None for m in ("presidio_analyzer", "presidio_structured"))


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in ("presidio-analyzer", "presidio-structured"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "missing"
    return out


def build_analyzer(config: str) -> Any:
    """An offline AnalyzerEngine (no spaCy model) in one of :data:`CONFIGS`."""
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    # E-mail validation asks tldextract for the Public Suffix List; offline it logs a traceback, then
    # falls back to its bundled snapshot.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    nlp = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "no_op", "models": [{"lang_code": "en", "model_name": "none"}]}
    ).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    if config == "configured":
        from presidio_analyzer.predefined_recognizers import (
            KrPassportRecognizer,
            KrRrnRecognizer,
            PhoneRecognizer,
        )

        analyzer.registry.add_recognizer(KrRrnRecognizer(supported_language="en"))
        analyzer.registry.add_recognizer(KrPassportRecognizer(supported_language="en"))
        analyzer.registry.add_recognizer(
            PhoneRecognizer(supported_regions=("CN", "KR"), name="PhoneRecognizerCNKR")
        )
    elif config != "stock":
        raise ValueError(f"unknown Presidio configuration {config!r}; choose from {CONFIGS}")
    return analyzer


def analyze(analyzer: Any, frame: pl.DataFrame) -> dict[str, Prediction]:
    """Presidio's column → entity decision for one table, mapped to ringfence's names."""
    from presidio_structured import PandasAnalysisBuilder

    text = frame.select(pl.all().cast(pl.String).fill_null("")).to_pandas()
    analysis = PandasAnalysisBuilder(analyzer=analyzer).generate_analysis(text)
    out: dict[str, Prediction] = {}
    for column in frame.columns:
        raw = analysis.entity_mapping.get(column)
        if raw is None or raw == "NON_PII":
            out[column] = Prediction(None)
        else:
            out[column] = Prediction(ENTITY_MAP.get(raw, f"other:{raw}"), (ENTITY_MAP.get(raw, raw),))
    return out


def lenient(label: Mapping[str, Any], got: Prediction) -> bool:
    """Presidio-structured gives one entity per column, so a free-text column counts as found when that
    entity is one of those the text contains; every other column needs the exact entity."""
    if label["entity"] == FREE_TEXT:
        return got.entity in label["contains"]
    return bool(got.entity == label["entity"])
