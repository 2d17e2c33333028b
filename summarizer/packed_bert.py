"""A BERT encoder's inference forward over packed token rows, with oneDNN linear layers.

What :class:`summarizer.embeddings.SentenceEncoder` runs the default model (all-MiniLM-L6-v2, a
plain BERT) through instead of the transformers forward: no padding, fewer and larger matrix
products, the same embeddings to ~1e-7 (tests/test_summarizer.py checks it). torch is imported
inside the functions, never at module import.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import torch
    from transformers import PreTrainedModel

__all__ = ["FusedLinear", "PackedBert"]

# oneDNN builds, and keeps, kernels for each row count its product is given; a packed matrix has as
# many rows as its batch has tokens, a new count almost every batch, so the summarize stage's
# memory grew with every batch (about 0.5 MiB per article: 870 -> 1,531 MiB over 1,500 articles).
# Rounded up to a multiple of this, the counts are few and the memory flat (bench/README.md), for
# at most 255 padding rows per product.
ONEDNN_ROWS_STEP = 256


class FusedLinear:
    """``x @ weight.T + bias``, optionally followed by the exact (erf) GELU, for inference.

    Where PyTorch has oneDNN (its x86 builds do), the weight is reordered once into oneDNN's
    blocked layout and the product runs through ``torch.ops.mkldnn._linear_pointwise``, with the
    GELU fused into it: what ``torch.compile``'s CPU backend does, without compiling. Measured on
    the packed MiniLM forward: 6-10 % faster than ``F.linear`` + ``F.gelu``, results equal to
    ~1e-7 (float32) or bit for bit (bfloat16) (bench/README.md). Anywhere the oneDNN op is missing
    or disagrees with ``F.linear`` on a probe, ``F.linear`` (and ``F.gelu``) it is.
    """

    _onednn_ok: dict = {}  # dtype -> whether the oneDNN op works here (probed once per process)

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, *, gelu: bool = False) -> None:
        self.weight, self.bias, self.gelu = weight, bias, gelu
        self.packed = self._reorder(weight) if self._onednn(weight.dtype) else None

    @staticmethod
    def _reorder(weight: torch.Tensor) -> torch.Tensor:
        import torch

        return torch.ops.mkldnn._reorder_linear_weight(weight, None)

    @classmethod
    def _onednn(cls, dtype: torch.dtype) -> bool:
        if dtype not in cls._onednn_ok:
            cls._onednn_ok[dtype] = cls._probe(dtype)
        return cls._onednn_ok[dtype]

    @classmethod
    def _probe(cls, dtype: torch.dtype) -> bool:
        import torch
        import torch.nn.functional as F

        try:
            if not torch.backends.mkldnn.is_available():
                return False
            generator = torch.Generator().manual_seed(0)
            x = torch.randn(5, 64, generator=generator).to(dtype)
            w = torch.randn(96, 64, generator=generator).to(dtype)
            b = torch.randn(96, generator=generator).to(dtype)
            with torch.inference_mode():
                got = cls._onednn_product(x, cls._reorder(w), b, gelu=True).float()
                expected = F.gelu(F.linear(x, w, b)).float()
            return bool(torch.allclose(got, expected, rtol=2e-2, atol=2e-2))
        except Exception:  # noqa: BLE001 - any failure of a private op means: use F.linear
            return False

    @staticmethod
    def _onednn_product(x: torch.Tensor, packed: torch.Tensor, bias: torch.Tensor, *, gelu: bool) -> torch.Tensor:
        import torch

        if gelu:
            return torch.ops.mkldnn._linear_pointwise(x, packed, bias, "gelu", [], "none")
        return torch.ops.mkldnn._linear_pointwise(x, packed, bias, "none", [], "")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        import torch.nn.functional as F

        if self.packed is not None:
            rows = x.shape[0]
            padding = -rows % ONEDNN_ROWS_STEP
            if padding:
                x = F.pad(x, (0, 0, 0, padding))
            return self._onednn_product(x, self.packed, self.bias, gelu=self.gelu)[:rows]
        y = F.linear(x, self.weight, self.bias)
        return F.gelu(y) if self.gelu else y


class PackedBert:
    """A BERT encoder's forward pass over packed token rows (no padding), for inference.

    The transformers forward pads every text of a batch to the longest and runs every layer over
    the padding too. Here the tokens of all texts are concatenated into one (tokens, hidden)
    matrix, texts of equal length next to each other: the embeddings, the fused query/key/value
    projection, the output projection, the feed-forward layers and the layer norms run on real
    tokens only (large matrix products, no padding), and the attention runs once per group of
    texts of the same length, on views of that matrix (no padding, no mask, no copy into a
    padded layout). Same weights and operations as ``BertModel`` in eval mode (absolute
    positions, token type 0, exact GELU, post-layer-norm): the embeddings agree with the
    transformers forward to ~1e-7 (tests/test_summarizer.py checks it).
    """

    def __init__(self, model: PreTrainedModel) -> None:
        import torch

        config = model.config
        state = {k: v.detach() for k, v in model.state_dict().items()}
        prefix = "" if "embeddings.word_embeddings.weight" in state else "bert."
        get = lambda name: state[prefix + name].contiguous()  # noqa: E731
        self.hidden = int(config.hidden_size)
        self.heads = int(config.num_attention_heads)
        self.eps = float(config.layer_norm_eps)
        self.word = get("embeddings.word_embeddings.weight")
        self.position = get("embeddings.position_embeddings.weight")
        self.token_type = get("embeddings.token_type_embeddings.weight")[0].contiguous()
        self.norm = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(int(config.num_hidden_layers)):
            layer = lambda name, i=i: get(f"encoder.layer.{i}.{name}")  # noqa: E731
            self.layers.append(
                (
                    FusedLinear(
                        torch.cat([layer(f"attention.self.{w}.weight") for w in ("query", "key", "value")]),
                        torch.cat([layer(f"attention.self.{w}.bias") for w in ("query", "key", "value")]),
                    ),
                    FusedLinear(layer("attention.output.dense.weight"), layer("attention.output.dense.bias")),
                    (layer("attention.output.LayerNorm.weight"), layer("attention.output.LayerNorm.bias")),
                    FusedLinear(layer("intermediate.dense.weight"), layer("intermediate.dense.bias"), gelu=True),
                    FusedLinear(layer("output.dense.weight"), layer("output.dense.bias")),
                    (layer("output.LayerNorm.weight"), layer("output.LayerNorm.bias")),
                )
            )

    @classmethod
    def build(cls, model: PreTrainedModel) -> PackedBert | None:
        """For a plain BERT encoder (what all-MiniLM-L6-v2 is), else None (then the transformers
        forward is used)."""
        config = getattr(model, "config", None)
        if (
            config is None
            or getattr(config, "model_type", None) != "bert"
            or getattr(config, "position_embedding_type", "absolute") not in (None, "absolute")
            or getattr(config, "hidden_act", None) != "gelu"
            or getattr(config, "is_decoder", False)
            or config.hidden_size % config.num_attention_heads
        ):
            return None
        try:
            return cls(model)
        except KeyError:  # an unexpected layout of the weights
            return None

    def mean_pooled(self, rows: list[list[int]]) -> torch.Tensor:
        """Mean of the last hidden state over each row's tokens, float32 (len(rows), hidden)."""
        import torch
        import torch.nn.functional as F

        # longest first, equal lengths together: a group of same-length rows is one block of the
        # packed matrix, which attention reads as (rows, heads, length, head size) through a view
        order = sorted(range(len(rows)), key=lambda i: -len(rows[i]))
        groups: list[tuple[int, int, int]] = []  # (first token, rows, length)
        offset = 0
        for length, same in itertools.groupby(len(rows[i]) for i in order):
            count = sum(1 for _ in same)
            groups.append((offset, count, length))
            offset += count * length
        ids = torch.tensor([t for i in order for t in rows[i]])
        positions = torch.cat([torch.arange(length).repeat(count) for _, count, length in groups])
        width, heads = self.hidden, self.heads
        size = width // heads
        x = self.word[ids] + self.position[positions] + self.token_type
        x = F.layer_norm(x, (width,), *self.norm, self.eps)
        for query_key_value, attention_output, norm1, intermediate, output, norm2 in self.layers:
            qkv = query_key_value(x)
            context = torch.cat(
                [
                    F.scaled_dot_product_attention(
                        *qkv[first : first + count * length].view(count, length, 3, heads, size).permute(2, 0, 3, 1, 4)
                    )
                    .transpose(1, 2)
                    .reshape(count * length, width)
                    for first, count, length in groups
                ]
            )
            x = F.layer_norm(attention_output(context) + x, (width,), *norm1, self.eps)
            x = F.layer_norm(output(intermediate(x)) + x, (width,), *norm2, self.eps)
        pooled = torch.cat(
            [
                x[first : first + count * length].float().view(count, length, width).mean(dim=1)
                for first, count, length in groups
            ]
        )
        return pooled[torch.tensor(order).argsort()]
